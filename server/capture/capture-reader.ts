// Reading a capture back: byte ranges for lagging readers, record ranges for downloads, and
// time → offset lookups. Every read works on a snapshot of the segment list and on each
// segment's flushed size, seeks through the sparse index, and holds at most one read-ahead
// (or one record) in memory besides what it returns.

import { join } from 'node:path';
import type { CaptureEvent, CaptureRecord } from './capture-types.js';
import { KIND_DATA, KIND_WRITE, RECORD_HEADER_BYTES } from './record-codec.js';
import { READ_CHUNK_BYTES, SegmentCursor, type RawRecord, type ReadCounter } from './segment-reader.js';
import type { SegmentIndex } from './segment-index.js';

/** The segments to read (oldest first), where they live, and the counter their reads add to. */
export interface SegmentSource {
  dir: string;
  segments: readonly SegmentIndex[];
  counter: ReadCounter;
}

/** Filters and cancellation for readRecords. */
export interface RecordsOptions {
  kinds?: CaptureRecord['kind'][];
  signal?: AbortSignal;
}

const KIND_NAMES = ['', 'data', 'write', 'event'] as const;
const utf8 = new TextDecoder();

/** Converts a record as stored into the public shape (a write's source split off, an event parsed). */
export function toCaptureRecord(raw: RawRecord): CaptureRecord {
  const { offset, timeMs } = raw;
  if (raw.kind === KIND_DATA) return { kind: 'data', offset, timeMs, bytes: raw.payload };
  if (raw.kind === KIND_WRITE) {
    const source = utf8.decode(raw.payload.subarray(0, raw.sourceLength));
    return { kind: 'write', offset, timeMs, bytes: raw.payload.subarray(raw.sourceLength), source };
  }
  return { kind: 'event', offset, timeMs, event: parseEvent(raw.payload) };
}

function parseEvent(payload: Uint8Array): CaptureEvent {
  try {
    const parsed: unknown = JSON.parse(utf8.decode(payload));
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as CaptureEvent).type === 'string') {
      return parsed as CaptureEvent;
    }
  } catch {
    // The checksum matched, so this was written so; report it rather than fail the whole read.
  }
  return { type: 'unreadable-event' };
}

/**
 * Data bytes from `offset`: contiguous, at most `maxBytes`, copied out (no view pins a read buffer).
 * If `offset` is not held (before the oldest segment, or in a gap), starts at the first held offset after it.
 */
export async function readDataFrom(
  src: SegmentSource,
  offset: number,
  maxBytes: number,
): Promise<{ offset: number; chunks: Uint8Array[] }> {
  const chunks: Uint8Array[] = [];
  if (maxBytes <= 0) return { offset, chunks };
  const readAheadBytes = Math.min(READ_CHUNK_BYTES, maxBytes + RECORD_HEADER_BYTES);
  let first: number | null = null;
  let next = offset;
  let got = 0;
  for (const seg of src.segments) {
    if (seg.dataEnd === null || seg.dataEnd <= next) continue;
    if (first !== null && seg.dataStart !== next) break; // a gap between segments ends a contiguous read
    const cursor = await SegmentCursor.open(join(src.dir, seg.fileName), seg.seekAtOrBeforeOffset(next), seg.fileBytes, {
      readAheadBytes,
      counter: src.counter,
    });
    if (!cursor) {
      if (first !== null) break;
      continue;
    }
    try {
      for (let rec = await cursor.next(); rec; rec = await cursor.next()) {
        if (rec.kind !== KIND_DATA) continue;
        const recEnd = rec.offset + rec.payload.length;
        if (recEnd <= next) continue;
        if (rec.offset > next) {
          if (first !== null) return { offset: first, chunks }; // gap inside the segment
          next = rec.offset; // `offset` was not held: start at the first held byte after it
        }
        if (first === null) first = next;
        const from = next - rec.offset;
        const take = Math.min(recEnd - next, maxBytes - got);
        chunks.push(rec.payload.slice(from, from + take));
        got += take;
        next += take;
        if (got >= maxBytes) return { offset: first, chunks };
      }
    } finally {
      await cursor.close();
    }
  }
  return { offset: first ?? offset, chunks };
}

/** Every record with offset in [from, to), data trimmed to the range, in append order; stops quietly once `signal` aborts. */
export async function* readRecords(
  src: SegmentSource,
  from: number,
  to: number,
  options: RecordsOptions = {},
): AsyncGenerator<CaptureRecord> {
  const kinds = options.kinds ? new Set(options.kinds) : null;
  const signal = options.signal;
  for (const seg of src.segments) {
    if (signal?.aborted) return;
    if (seg.firstOffset === null || seg.endOffset === null || seg.endOffset < from) continue;
    if (seg.firstOffset >= to) return;
    const cursor = await SegmentCursor.open(join(src.dir, seg.fileName), seg.seekBeforeOffset(from), seg.fileBytes, {
      counter: src.counter,
    });
    if (!cursor) continue; // deleted by retention since the snapshot
    try {
      for (let rec = await cursor.next(); rec; rec = await cursor.next()) {
        if (signal?.aborted) return;
        if (rec.offset >= to) return;
        if (rec.kind === KIND_DATA) {
          const recEnd = rec.offset + rec.payload.length;
          if (recEnd <= from) continue;
          if (rec.offset < from || recEnd > to) {
            const start = Math.max(from, rec.offset);
            rec = { ...rec, offset: start, payload: rec.payload.subarray(start - rec.offset, Math.min(to, recEnd) - rec.offset) };
          }
        } else if (rec.offset < from) continue;
        if (kinds && !kinds.has(KIND_NAMES[rec.kind])) continue;
        yield toCaptureRecord(rec);
      }
    } finally {
      await cursor.close();
    }
  }
}

/** Offset of the first flushed data record that arrived at or after `timeMs`, or null if none did. */
export async function findOffsetAtTime(src: SegmentSource, timeMs: number): Promise<number | null> {
  for (const seg of src.segments) {
    // Whole segments that ended before `timeMs` are skipped on their summary alone.
    if (seg.lastTimeMs === null || seg.lastTimeMs < timeMs || seg.dataEnd === null) continue;
    const cursor = await SegmentCursor.open(join(src.dir, seg.fileName), seg.seekBeforeTime(timeMs), seg.fileBytes, {
      counter: src.counter,
    });
    if (!cursor) continue;
    try {
      for (let rec = await cursor.next(); rec; rec = await cursor.next()) {
        if (rec.kind === KIND_DATA && rec.timeMs >= timeMs) return rec.offset;
      }
    } finally {
      await cursor.close();
    }
  }
  return null;
}
