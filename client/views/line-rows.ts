// The Lines view's model: the port's lines as the server framed them (SSE `line` events, each with
// its server arrival time), kept in a bounded list, and the time column written either as the
// server's clock (HH:MM:SS.mmm, in the page's time zone) or as the delta from the previous line. Pure.
import type { LineData } from '../../server/wire/api.js';

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
