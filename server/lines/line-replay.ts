// Lines, records and gaps of a past stretch of a port's stream, framed again from the capture for
// one reader (an SSE client resuming with Last-Event-ID, or one that fell behind). It has its own
// framer and record detector, fed the capture's bytes with their recorded arrival times, so it
// frames exactly as the port's live line reader did: lines start and end at the same offsets.
// Memory stays bounded: records are read one at a time as the consumer pulls.
import type { CaptureRecord } from '../capture/capture-types.js';
import { LineFramer, type FramedLine, type LineFramerOptions } from './line-framer.js';
import { RecordDetector } from './records/record-detector.js';
import type { ParsedRecord } from './records/record-types.js';
import { clipData } from './clip-data.js';

/** One thing a reader is told, in stream order. A record follows the complete line it came from (`endOffset` is that line's). */
export type LineEvent =
  | { type: 'line'; line: FramedLine }
  | { type: 'record'; record: ParsedRecord; endOffset: number }
  | { type: 'gap'; from: number; to: number };

/** What a replay reads: a channel's records with arrival times (server/ports/channel.ts's Channel). */
export interface ReplaySource {
  records(from: number, to: number, signal?: AbortSignal): AsyncIterable<CaptureRecord>;
}

const EMPTY = new Uint8Array(0);

/** Frames a port's stream from offset `from`, stretch by stretch, in order. */
export class LineReplay {
  private readonly framer: LineFramer;
  private readonly detector = new RecordDetector();
  private cursor: number;
  private lineBoundary: number;

  constructor(
    private readonly source: ReplaySource,
    from: number,
    framer?: LineFramerOptions,
  ) {
    this.framer = new LineFramer(framer);
    this.cursor = from;
    this.lineBoundary = from;
  }

  /** Next offset to read: every byte before it has been framed. */
  get position(): number {
    return this.cursor;
  }

  /** Where the next complete line starts: the end of the last complete line (or gap) told. */
  get boundary(): number {
    return this.lineBoundary;
  }

  /** Frames [position, to): yields its lines (partials where the recorded times show a quiet pause), records and gaps (what the capture no longer holds). */
  async *read(to: number, signal?: AbortSignal): AsyncGenerator<LineEvent> {
    if (to <= this.cursor) return;
    for await (const record of this.source.records(this.cursor, to, signal)) {
      if (signal?.aborted) return;
      if (record.kind !== 'data') continue;
      const clipped = clipData(record.bytes, record.offset, this.cursor, to);
      if (clipped === null) continue;
      if (clipped === 'end') break;
      const { bytes, offset } = clipped;
      if (offset > this.cursor) yield* this.skip(offset);
      const lines = this.framer.push(bytes, offset, record.timeMs);
      this.cursor = offset + bytes.byteLength;
      yield* this.tell(lines);
    }
    if (signal?.aborted) return;
    if (this.cursor < to) yield* this.skip(to);
  }

  /**
   * Ends the replay at its position: a line held open only by a trailing CR is told as complete (the
   * live reader had decided it, since it framed past it), and anything else still open is told as a
   * partial. Afterwards `boundary` equals `position`.
   */
  finish(): LineEvent[] {
    const events = [...this.tell(this.framer.idle(Number.MAX_SAFE_INTEGER))];
    this.lineBoundary = this.cursor;
    return events;
  }

  /** Offsets [position, to) are not in the capture: the open line ends there, and the gap is told. */
  private *skip(to: number): Generator<LineEvent> {
    const from = this.cursor;
    const lines = this.framer.push(EMPTY, to, 0);
    this.cursor = to;
    yield* this.tell(lines);
    this.lineBoundary = to;
    yield { type: 'gap', from, to };
  }

  private *tell(lines: FramedLine[]): Generator<LineEvent> {
    for (const line of lines) {
      if (!line.partial) this.lineBoundary = line.endOffset;
      yield { type: 'line', line };
      const record = this.detector.read(line);
      if (record) yield { type: 'record', record, endOffset: line.endOffset };
    }
  }
}
