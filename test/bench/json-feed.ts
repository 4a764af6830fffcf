// The board's side for the data figures (issue 11): JSON lines of numeric fields written into the pty,
// paced (so many lines a second) or flat out (a fixed number of lines as fast as the pty takes them).
// Runs on the benchmark's main thread through the pty helper's board end: the rates here (a few
// thousand short lines a second, written in batches every few ms) need no worker thread, and the
// cost measured is the server's (another process) or the page's (another process).
import type { PtyBoard } from '../helpers/pty-pair.js';

/** Interval between paced batches, in ms: 2,000 lines/s arrive as ~20 lines every 10 ms, as a USB CDC device's packets do. */
const PACED_TICK_MS = 10;
/** Bytes per write when flat out. */
const FLAT_OUT_WRITE_BYTES = 64 * 1024;

/** Names of `count` fields: s0, s1, … */
export function fieldNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `s${i}`);
}

/**
 * Line `seq` as a JSON object of numeric fields, e.g. `{"s0":1.23,"s1":-0.5,…}\n`: values move, so a
 * plot has something to draw. With `seqFirst`, the first field is `seq` itself, so a reader of the
 * records can tell which lines it got.
 */
export function jsonLine(names: readonly string[], seq: number, seqFirst = false): string {
  const parts = names.map((name, i) => `"${name}":${seqFirst && i === 0 ? seq : (Math.sin(seq / 50 + i) * 100).toFixed(2)}`);
  return `{${parts.join(',')}}\n`;
}

/** What a feed wrote. */
export interface FeedResult {
  lines: number;
  bytes: number;
}

/** A paced feed in progress: `linesSoFar()` can be read mid-run; `done` settles after the last line. */
export interface PacedFeed {
  linesSoFar(): number;
  stop(): void;
  readonly done: Promise<FeedResult>;
}

/** Writes `makeLine(0…)` at `linesPerSecond` for `durationMs` (until stop()). */
export function feedPaced(board: PtyBoard, makeLine: (seq: number) => string, linesPerSecond: number, durationMs: number): PacedFeed {
  let seq = 0;
  let bytes = 0;
  let stopped = false;
  const total = Math.round((linesPerSecond * durationMs) / 1000);
  const done = (async (): Promise<FeedResult> => {
    const start = performance.now();
    while (!stopped && seq < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) * linesPerSecond) / 1000) + 1);
      if (due > seq) {
        let text = '';
        for (; seq < due; seq++) text += makeLine(seq);
        bytes += Buffer.byteLength(text);
        await board.write(text);
      }
      const next = start + (seq * 1000) / linesPerSecond;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(PACED_TICK_MS, next - performance.now()))));
    }
    return { lines: seq, bytes };
  })();
  return { linesSoFar: () => seq, stop: () => (stopped = true), done };
}

/** Writes lines `first` … `first + count − 1` as fast as the pty takes them. */
export async function feedFlatOut(board: PtyBoard, makeLine: (seq: number) => string, first: number, count: number): Promise<FeedResult> {
  let bytes = 0;
  let text = '';
  for (let seq = first; seq < first + count; seq++) {
    text += makeLine(seq);
    if (text.length >= FLAT_OUT_WRITE_BYTES) {
      bytes += Buffer.byteLength(text);
      await board.write(text);
      text = '';
    }
  }
  if (text) {
    bytes += Buffer.byteLength(text);
    await board.write(text);
  }
  return { lines: count, bytes };
}
