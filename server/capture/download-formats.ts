// Download formats over a stream of capture records: the raw bytes, a timestamped text log, and
// NDJSON. Each streams as it goes, batching output into pieces of about OUTPUT_CHUNK_BYTES, so
// memory stays bounded however long the range (a line without a newline is cut at MAX_LINE_CHARS).

import stripAnsi from 'strip-ansi';
import type { CaptureRecord } from './capture-types.js';

/** Output piece size, in bytes (approximate): 64 KiB, large enough for few writes, small enough to stream. */
const OUTPUT_CHUNK_BYTES = 64 * 1024;
/** Longest text line held before it is emitted anyway, in UTF-16 units: 64 Ki, bounds memory on output with no newlines. */
const MAX_LINE_CHARS = 64 * 1024;

/** The data bytes of the records, exactly, in order (writes and events left out). */
export async function* formatRaw(records: AsyncIterable<CaptureRecord>): AsyncIterable<Uint8Array> {
  for await (const rec of records) if (rec.kind === 'data' && rec.bytes.length > 0) yield rec.bytes;
}

/** Control characters a text log drops with its escape sequences: C0 (tab kept), DEL and C1. */
const CONTROL_CHARS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** A line as a person reads it in a log: terminal escape sequences (colours, cursor moves, titles) and other control characters removed. */
export function plainLine(line: string): string {
  // strip-ansi knows the CSI, OSC and other escape forms; what it leaves (a bell, a backspace, a lone ESC) goes here.
  return stripAnsi(line).replace(CONTROL_CHARS, '');
}

/**
 * A text log: each line of data prefixed with the arrival time of the record holding its first
 * byte, as ISO 8601 and as seconds since `rangeStartMs` ("2026-11-29T14:02:10.123Z +12.345 ");
 * writes as "<prefix>>> [source] text", events as "<prefix>-- type {json}". UTF-8 split across
 * records is decoded correctly; a CR before the LF is dropped; with `stripEscapes`, each line is
 * plainLine()'s, else other bytes are kept as they are.
 */
export async function* formatText(
  records: AsyncIterable<CaptureRecord>,
  rangeStartMs: number,
  options: { stripEscapes?: boolean } = {},
): AsyncIterable<Uint8Array> {
  const out = new OutputBatcher();
  const decoder = new TextDecoder(); // streaming: a character split across records comes out whole
  let line = '';
  let lineTimeMs: number | null = null; // arrival time of the open line's first byte; null when no line is open
  const endLine = () => {
    const kept = line.endsWith('\r') ? line.slice(0, -1) : line;
    out.add(prefix(lineTimeMs!, rangeStartMs) + (options.stripEscapes ? plainLine(kept) : kept) + '\n');
    line = '';
    lineTimeMs = null;
  };
  for await (const rec of records) {
    if (rec.kind === 'data') {
      const bytes = rec.bytes;
      let pos = 0;
      while (pos < bytes.length) {
        if (lineTimeMs === null) lineTimeMs = rec.timeMs;
        // 0x0A never occurs inside a multi-byte UTF-8 sequence, so splitting bytes at it is safe.
        const nl = bytes.indexOf(0x0a, pos);
        if (nl < 0) {
          line += decoder.decode(bytes.subarray(pos), { stream: true });
          pos = bytes.length;
          if (line.length > MAX_LINE_CHARS) endLine();
        } else {
          line += decoder.decode(bytes.subarray(pos, nl)); // not streaming: bytes of a cut character become U+FFFD
          endLine();
          pos = nl + 1;
        }
      }
    } else {
      // A write or event shows where it happened: a device line still open is emitted first, and
      // its rest continues on a new line stamped with the time its next bytes arrived.
      if (lineTimeMs !== null && line.length > 0) endLine();
      const head = prefix(rec.timeMs, rangeStartMs);
      if (rec.kind === 'write') out.add(`${head}>> [${rec.source}] ${escapeControls(utf8Lossy(rec.bytes))}\n`);
      else {
        const { type, ...rest } = rec.event;
        const detail = Object.keys(rest).length > 0 ? ' ' + JSON.stringify(rest) : '';
        out.add(`${head}-- ${type}${detail}\n`);
      }
    }
    if (out.ready) yield out.take();
  }
  line += decoder.decode();
  if (lineTimeMs !== null && line.length > 0) endLine();
  if (out.size > 0) yield out.take();
}

/**
 * One JSON object per line and per record: {"kind","offset","time" (ISO),"timeMs", then for data
 * "text" (bytes that are valid UTF-8) or "base64"; for a write also "source"; for an event "event"}.
 */
export async function* formatNdjson(records: AsyncIterable<CaptureRecord>): AsyncIterable<Uint8Array> {
  const out = new OutputBatcher();
  const strict = new TextDecoder('utf-8', { fatal: true });
  for await (const rec of records) {
    const head = { kind: rec.kind, offset: rec.offset, time: new Date(rec.timeMs).toISOString(), timeMs: rec.timeMs };
    let body: object;
    if (rec.kind === 'event') body = { ...head, event: rec.event };
    else {
      const source = rec.kind === 'write' ? { source: rec.source } : {};
      body = { ...head, ...source, ...bytesField(strict, rec.bytes) };
    }
    out.add(JSON.stringify(body) + '\n');
    if (out.ready) yield out.take();
  }
  if (out.size > 0) yield out.take();
}

function bytesField(strict: InstanceType<typeof TextDecoder>, bytes: Uint8Array): { text: string } | { base64: string } {
  try {
    return { text: strict.decode(bytes) };
  } catch {
    return { base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64') };
  }
}

/** "2026-11-29T14:02:10.123Z +12.345 ": arrival time and seconds since the range start. */
function prefix(timeMs: number, rangeStartMs: number): string {
  const elapsed = (timeMs - rangeStartMs) / 1000;
  return `${new Date(timeMs).toISOString()} ${elapsed < 0 ? '-' : '+'}${Math.abs(elapsed).toFixed(3)} `;
}

function utf8Lossy(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Shows control characters of a write as escapes (\r, \n, \t, \xHH), so each write stays one line. */
function escapeControls(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => {
    if (c === '\r') return '\\r';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
  });
}

/** Collects output text and hands it out as UTF-8 pieces of about OUTPUT_CHUNK_BYTES. */
class OutputBatcher {
  private parts: string[] = [];
  size = 0; // UTF-16 units held; close enough to bytes for batching

  add(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }

  get ready(): boolean {
    return this.size >= OUTPUT_CHUNK_BYTES;
  }

  take(): Uint8Array {
    const bytes = new TextEncoder().encode(this.parts.join(''));
    this.parts = [];
    this.size = 0;
    return bytes;
  }
}
