// The worker's write queue: bytes from the browsers wait here and go to the device one write at
// a time, optionally paced like tio's -o/-O (a delay after each byte, and after each line
// ending) so a board with a small receive buffer (an Uno's 64 bytes) keeps up. It never blocks
// the event loop, so the device keeps being read while a long paste trickles out.
import type { WireError } from './messages.js';
import { toWireError } from './devices/port.js';

/** Most bytes waiting to be written, in bytes: a few maximum-size frames (1 MiB each) behind a slow paced device; past it writes are refused, not buffered without bound. */
export const WRITE_QUEUE_MAX_BYTES = 4 * 1024 * 1024;
/** Largest single unpaced write, in bytes: a long paste goes out in slices so closing the port can stop it between two. */
export const WRITE_SLICE_MAX_BYTES = 16 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** Delays applied while writing, in ms: after every byte, and after every line ending (LF, or a CR not followed by LF). */
export interface Pacing {
  charDelayMs: number;
  lineDelayMs: number;
}

/** A paced, bounded FIFO in front of one open port. Dispose it when the port closes. */
export class WriteQueue {
  private readonly pending: Uint8Array[] = [];
  /** Bytes of pending[0] already written. */
  private headOffset = 0;
  private queued = 0;
  private running = false;
  private disposed = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * `write` sends one slice to the port (one call at a time). `onError` hears a failed write,
   * after which the queue is disposed and the bytes still waiting are counted as dropped.
   */
  constructor(
    private readonly write: (slice: Uint8Array) => Promise<void>,
    private pacing: Pacing,
    private readonly onError: (error: WireError, droppedBytes: number) => void,
    private readonly maxBytes = WRITE_QUEUE_MAX_BYTES,
  ) {}

  /** Bytes accepted but not yet written. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Queues `data` (the queue keeps it; the caller must not modify it). false: refused whole, because the queue would exceed its bound or is disposed. */
  enqueue(data: Uint8Array): boolean {
    if (this.disposed || this.queued + data.byteLength > this.maxBytes) return false;
    if (data.byteLength === 0) return true;
    this.pending.push(data);
    this.queued += data.byteLength;
    void this.pump();
    return true;
  }

  /** Changes the delays; applies from the next byte written. */
  setPacing(pacing: Pacing): void {
    this.pacing = { ...pacing };
  }

  /** Stops writing and drops what is waiting; returns how many bytes were dropped. Safe to call twice. */
  dispose(): number {
    const dropped = this.queued;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.length = 0;
    this.queued = 0;
    return dropped;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.disposed && this.pending.length > 0) {
        const { slice, delayMs } = this.nextSlice();
        await this.write(slice);
        if (this.disposed) return;
        this.advance(slice.byteLength);
        if (delayMs > 0) await this.delay(delayMs);
      }
    } catch (error) {
      if (this.disposed) return;
      const dropped = this.dispose();
      this.onError(toWireError(error), dropped);
    } finally {
      this.running = false;
    }
  }

  /** The next bytes to write and the pause owed after them. */
  private nextSlice(): { slice: Uint8Array; delayMs: number } {
    const head = this.pending[0] as Uint8Array;
    const start = this.headOffset;
    const { charDelayMs, lineDelayMs } = this.pacing;
    if (charDelayMs > 0) {
      const delayMs = charDelayMs + (this.isLineEnd(start) ? lineDelayMs : 0);
      return { slice: head.subarray(start, start + 1), delayMs };
    }
    const limit = Math.min(head.byteLength, start + WRITE_SLICE_MAX_BYTES);
    if (lineDelayMs > 0) {
      for (let i = start; i < limit; i++) {
        if (this.isLineEnd(i)) return { slice: head.subarray(start, i + 1), delayMs: lineDelayMs };
      }
    }
    return { slice: head.subarray(start, limit), delayMs: 0 };
  }

  /** Whether the byte at `index` of the head chunk ends a line: LF, or CR not followed by LF (looking into later chunks). */
  private isLineEnd(index: number): boolean {
    const head = this.pending[0] as Uint8Array;
    const byte = head[index];
    if (byte === LF) return true;
    if (byte !== CR) return false;
    const next = index + 1 < head.byteLength ? head[index + 1] : this.pending[1]?.[0];
    return next !== LF;
  }

  private advance(written: number): void {
    this.headOffset += written;
    this.queued -= written;
    if (this.headOffset >= (this.pending[0] as Uint8Array).byteLength) {
      this.pending.shift();
      this.headOffset = 0;
    }
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        resolve();
      }, ms);
    });
  }
}
