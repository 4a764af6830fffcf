// The Lines view's model: the port's lines as the server framed them (SSE `line` events, each with
// its server arrival time), kept in a bounded list, and the time column written either as the
// server's clock (HH:MM:SS.mmm, in the page's time zone) or as the delta from the previous line;
// and the port's writes (SSE `write` events), placed among the lines where they came. Pure.
import type { LineData, WriteNote } from '../../server/wire/api.js';

/** How the time column reads. */
export type TimeStyle = 'clock' | 'delta';

/** Lines kept by default: 5000, a few hundred KiB of text, plenty to scroll back through; the capture has the rest. */
export const DEFAULT_MAX_LINES = 5000;

/** `ms` since the epoch as HH:MM:SS.mmm in the page's time zone. */
export function formatClock(ms: number): string {
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** A gap between lines, in ms: `+0.250`, `+12.003`, `+2:05.000` from a minute, `+1:02:03.000` from an hour; null (the first line) is `+—`. */
export function formatDelta(deltaMs: number | null): string {
  if (deltaMs === null) return '+—';
  const total = Math.max(0, Math.round(deltaMs));
  const ms = String(total % 1000).padStart(3, '0');
  const seconds = Math.floor(total / 1000);
  if (seconds < 60) return `+${seconds}.${ms}`;
  const s = String(seconds % 60).padStart(2, '0');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `+${minutes}:${s}.${ms}`;
  return `+${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${s}.${ms}`;
}

/** A line's time column in `style`; `previous` is the line before it in the stream (null for the first held). */
export function timeColumn(line: LineData, previous: LineData | null, style: TimeStyle): string {
  return style === 'clock' ? formatClock(line.timeMs) : formatDelta(previous === null ? null : line.timeMs - previous.timeMs);
}

/** The newest lines of a stream, in order; a partial line is replaced when it comes again (complete, same offset). */
export class LineList {
  private items: LineData[] = [];
  /** Lines that fell off the front. */
  dropped = 0;

  constructor(readonly maxLines = DEFAULT_MAX_LINES) {}

  /** Adds a line (or completes the partial line at the same offset). */
  add(line: LineData): void {
    const last = this.items[this.items.length - 1];
    if (last !== undefined && last.offset === line.offset) {
      this.items[this.items.length - 1] = line;
      return;
    }
    this.items.push(line);
    if (this.items.length > this.maxLines) {
      const extra = this.items.length - this.maxLines;
      this.items.splice(0, extra);
      this.dropped += extra;
    }
  }

  /** The lines held, oldest first. */
  lines(): readonly LineData[] {
    return this.items;
  }

  clear(): void {
    this.items = [];
    this.dropped = 0;
  }
}

/** The newest writes to a port, in stream order; one that comes again (a resumed stream replays recent writes) is kept once, by its writeOffset. */
export class WriteList {
  private items: WriteNote[] = [];

  constructor(readonly maxWrites = DEFAULT_MAX_LINES) {}

  /** Adds a write in its place by offset (equal offsets in the order they came); false if it was already held. */
  add(note: WriteNote): boolean {
    if (this.items.some((held) => held.writeOffset === note.writeOffset)) return false;
    let i = this.items.length;
    while (i > 0 && this.items[i - 1]!.offset > note.offset) i--;
    this.items.splice(i, 0, note);
    if (this.items.length > this.maxWrites) this.items.splice(0, this.items.length - this.maxWrites);
    return true;
  }

  /** Forgets writes that came before stream offset `offset` (the lines around them are gone). */
  dropBefore(offset: number): void {
    const keep = this.items.findIndex((note) => note.offset >= offset);
    this.items = keep < 0 ? [] : this.items.slice(keep);
  }

  /** The writes held, oldest first. */
  writes(): readonly WriteNote[] {
    return this.items;
  }

  clear(): void {
    this.items = [];
  }
}

/** One row of the Lines view: a device line, or a write with its author. */
export type LinesRow = { kind: 'line'; line: LineData; previous: LineData | null } | { kind: 'write'; note: WriteNote; previous: LineData | null };

/**
 * Lines and writes in one list, in stream order. A write goes after every line that ended by the
 * offset it came at, so it shows above the line it was typed into (a prompt echoing it) and the
 * reply. `previous` is the device line before (for the delta column).
 */
export function mergeRows(lines: readonly LineData[], writes: readonly WriteNote[]): LinesRow[] {
  const rows: LinesRow[] = [];
  let w = 0;
  let previous: LineData | null = null;
  for (const line of lines) {
    while (w < writes.length && writes[w]!.offset < line.endOffset) rows.push({ kind: 'write', note: writes[w++]!, previous });
    rows.push({ kind: 'line', line, previous });
    previous = line;
  }
  while (w < writes.length) rows.push({ kind: 'write', note: writes[w++]!, previous });
  return rows;
}

/** A write's time column in `style`: its server time, or the delta from the device line before it. */
export function writeTimeColumn(note: WriteNote, previous: LineData | null, style: TimeStyle): string {
  return style === 'clock' ? formatClock(note.timeMs) : formatDelta(previous === null ? null : note.timeMs - previous.timeMs);
}
