// Reads a port's stream by offset as the pieces an OutFrame carries: bytes with the arrival time
// of their first byte, or a range that is not held any more. Like every reader of a channel it has
// its own cursor and never holds up the device: the newest bytes come from the memory ring, with
// their times from a small index fed by the channel's `appended` callback; older ones (after a
// broker outage, a restart, or a fetch) come from the capture, with the times recorded on disk.
import type { CaptureRecord } from '../capture/capture-types.js';
import { ArrivalIndex } from '../lines/arrival-index.js';
import { clipData } from '../lines/clip-data.js';

/** What an OutFrame carries: bytes from `offset` whose first byte arrived at `timeMs`, or [offset, end) not held. */
export type OutputPiece =
  | { kind: 'data'; offset: number; timeMs: number; data: Uint8Array }
  | { kind: 'missing'; offset: number; end: number };

/** What the reader needs of a port's channel (server/ports/channel.ts's Channel). */
export interface OutputChannel {
  readonly memory: { readonly start: number; readonly end: number; read(offset: number, maxBytes: number): Uint8Array[] };
  /** Bytes below this may be handed out (the capture's durable reservation). */
  readonly deliverableEnd: number;
  /** Oldest offset readable at all. */
  readonly oldest: number;
  subscribe(listener: { data?(): void; appended?(bytes: Uint8Array, offset: number, timeMs: number): void }): () => void;
  /** Records in [from, to) with arrival times, from the capture (flushed first), or memory stamped now without one. */
  records(from: number, to: number, signal?: AbortSignal): AsyncIterable<CaptureRecord>;
}

/** How bytes are grouped into frames. */
export interface FrameLimits {
  /** Largest frame payload, in bytes. */
  frameBytes: number;
  /** Chunks that arrived at most this long after a frame's first byte may join it, in ms (only a backlog has such chunks waiting). */
  mergeMs: number;
}

/** Groups contiguous chunks into frames: one arrival time each (within mergeMs), at most frameBytes. */
class FrameMerger {
  readonly pieces: OutputPiece[] = [];
  private parts: Uint8Array[] = [];
  private offset = 0;
  private timeMs = 0;
  private bytes = 0;

  constructor(private readonly limits: FrameLimits) {}

  add(offset: number, timeMs: number, data: Uint8Array): void {
    for (let at = 0; at < data.byteLength; ) {
      const joins = this.bytes > 0 && offset + at === this.offset + this.bytes && timeMs - this.timeMs <= this.limits.mergeMs && this.bytes < this.limits.frameBytes;
      if (!joins) {
        this.flush();
        this.offset = offset + at;
        this.timeMs = timeMs;
      }
      const take = Math.min(data.byteLength - at, this.limits.frameBytes - this.bytes);
      this.parts.push(at === 0 && take === data.byteLength ? data : data.subarray(at, at + take));
      this.bytes += take;
      at += take;
    }
  }

  /** Frames made so far, the open one included. */
  get frames(): number {
    return this.pieces.length + (this.bytes > 0 ? 1 : 0);
  }

  missing(offset: number, end: number): void {
    this.flush();
    this.pieces.push({ kind: 'missing', offset, end });
  }

  flush(): void {
    if (this.bytes === 0) return;
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes);
    this.pieces.push({ kind: 'data', offset: this.offset, timeMs: this.timeMs, data });
    this.parts = [];
    this.bytes = 0;
  }
}

/** One reader of a port's output; close() it when the bridge goes. */
export class OutputReader {
  private readonly index = new ArrivalIndex();
  private readonly unsubscribe: () => void;
  private readonly aborts = new Set<AbortController>();

  /** `onData` hears that more may be readable (new bytes, or a raised reservation). */
  constructor(
    private readonly channel: OutputChannel,
    private readonly limits: FrameLimits,
    onData: () => void,
  ) {
    this.unsubscribe = channel.subscribe({
      data: onData,
      appended: (_bytes, offset, timeMs) => this.index.add(offset, timeMs),
    });
  }

  /**
   * Frames of the bytes from `offset` (up to about `maxBytes`) that memory holds with their times,
   * synchronously; [] when nothing is deliverable there yet; null when `offset` must be read from
   * the capture (readCapture).
   */
  readMemory(offset: number, maxBytes: number, maxFrames: number): OutputPiece[] | null {
    const end = this.channel.deliverableEnd;
    if (offset >= end) return [];
    const memory = this.channel.memory;
    if (offset < memory.start) return null;
    const merger = new FrameMerger(this.limits);
    let at = offset;
    while (at < end && at - offset < maxBytes && merger.frames < maxFrames) {
      const known = this.index.lookup(at);
      if (!known) break;
      const chunkEnd = Math.min(known.nextOffset ?? memory.end, end, offset + maxBytes);
      for (const view of memory.read(at, chunkEnd - at)) {
        merger.add(at, known.timeMs, view);
        at += view.byteLength;
      }
    }
    if (at === offset) return null;
    merger.flush();
    return merger.pieces;
  }

  /**
   * Frames from the capture from `offset` up to where memory takes over (about `maxBytes` or `maxFrames`), with a
   * `missing` piece for each range the capture does not hold (retention, a crash, a paused capture).
   * Never rejects: a disk error makes the range missing.
   */
  async readCapture(offset: number, maxBytes: number, maxFrames: number): Promise<OutputPiece[]> {
    const indexStart = this.index.start;
    const covered = indexStart === null ? Infinity : Math.max(indexStart, this.channel.memory.start);
    const to = Math.min(this.channel.deliverableEnd, covered > offset ? covered : Infinity);
    return this.readRange(offset, to, maxBytes, maxFrames);
  }

  /**
   * Frames of [from, to) from the capture, at most about `maxBytes` or `maxFrames` (a fetch's reply goes on from
   * where the last piece ends), a `missing` piece for what it does not hold. Never rejects.
   */
  async readRange(from: number, to: number, maxBytes: number, maxFrames: number): Promise<OutputPiece[]> {
    const merger = new FrameMerger(this.limits);
    let at = Math.max(from, 0);
    if (at < this.channel.oldest) {
      merger.missing(at, Math.min(this.channel.oldest, to));
      at = Math.min(this.channel.oldest, to);
    }
    let full = false;
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      for await (const record of this.channel.records(at, to, abort.signal)) {
        if (record.kind !== 'data') continue;
        const clipped = clipData(record.bytes, record.offset, at, to);
        if (clipped === null) continue;
        if (clipped === 'end') break;
        if (clipped.offset > at) merger.missing(at, clipped.offset);
        merger.add(clipped.offset, record.timeMs, clipped.bytes);
        at = clipped.offset + clipped.bytes.byteLength;
        if (at - from >= maxBytes || merger.frames >= maxFrames) {
          full = true;
          break;
        }
      }
    } catch {
      // The capture could not be read (a deleted segment, an I/O error): what was not read is missing.
    } finally {
      this.aborts.delete(abort);
    }
    if (abort.signal.aborted) return [];
    if (!full && at < to) merger.missing(at, to);
    merger.flush();
    return merger.pieces;
  }

  /** Forgets the arrival times of bytes before `offset` (the reader will not come back for them). */
  dropBefore(offset: number): void {
    this.index.dropBefore(offset);
  }

  /** Stops listening and abandons any capture read (it resolves with nothing). */
  close(): void {
    this.unsubscribe();
    for (const abort of this.aborts) abort.abort();
  }
}
