// The worker's write queue: bytes from the browsers wait here and go to the device one write at
// a time, optionally paced like tio's -o/-O (a delay after each byte, and after each line
// ending) so a board with a small receive buffer (an Uno's 64 bytes) keeps up. It never blocks
// the event loop, so the device keeps being read while a long paste trickles out. Each write is
// accounted for: written whole, or dropped with the count of its bytes that reached the device.
import type { WireError } from './messages.js';
import { toWireError, writtenBefore } from './devices/port.js';

/** Most bytes waiting to be written, in bytes: a few maximum-size frames (1 MiB each) behind a slow paced device; past it writes are refused, not buffered without bound. */
export const WRITE_QUEUE_MAX_BYTES = 4 * 1024 * 1024;
/** Largest single unpaced write, in bytes: a long paste goes out in slices so closing the port can stop it between two. */
export const WRITE_SLICE_MAX_BYTES = 16 * 1024;
/** Written-out entries kept at the front of the array before it is compacted, in entries: amortizes the copy under a flood of small writes. */
const COMPACT_AFTER_ENTRIES = 1024;

const LF = 0x0a;
const CR = 0x0d;

/** Delays applied while writing, in ms: after every byte, and after every line ending (LF, or a CR not followed by LF). */
export interface Pacing {
  charDelayMs: number;
  lineDelayMs: number;
}

/** A write the queue will not finish: its id (if it had one), its length, and how many of its bytes reached the device. */
export interface DroppedWrite {
  id: number | undefined;
  bytes: number;
  written: number;
}

/** What the queue reports about the writes it accepted. */
export interface WriteQueueEvents {
  /** A write that carried an id reached the device whole (`bytes` = its length). */
  written(id: number, bytes: number): void;
  /** A port write failed: the queue is disposed; `dropped` lists every unfinished write in order (the failed one first). */
  failed(error: WireError, dropped: DroppedWrite[]): void;
}

interface Entry {
  data: Uint8Array;
  id: number | undefined;
  written: number;
}

/** A paced, bounded FIFO in front of one open port. Dispose it when the port closes. */
export class WriteQueue {
  private pending: Entry[] = [];
  /** Index of the entry being written; the ones before it are done (compacted away in batches). */
  private head = 0;
  private queued = 0;
  private running = false;
  /** A port write is in progress (its outcome decides the head entry's count). */
  private inFlight = false;
  private disposed = false;
  private timer: NodeJS.Timeout | undefined;
  /** Set by dispose() while a port write is in flight: hands over the drops once it settles. */
  private onSettled: (() => void) | undefined;

  /**
   * `write` sends one slice to the port (one call at a time; on failure its error's `written`
   * counts the slice's bytes that got through). `events` hears completions and failures.
   */
  constructor(
    private readonly write: (slice: Uint8Array) => Promise<void>,
    private pacing: Pacing,
    private readonly events: WriteQueueEvents,
    private readonly maxBytes = WRITE_QUEUE_MAX_BYTES,
  ) {}

  /** Bytes accepted but not yet written. */
  get queuedBytes(): number {
    return this.queued;
  }

  /**
   * Queues `data` (kept by reference: the caller must not modify it); `id` is reported back by
   * events.written. false: refused whole, because the queue would exceed its bound or is disposed.
   */
  enqueue(data: Uint8Array, id?: number): boolean {
    if (this.disposed || this.queued + data.byteLength > this.maxBytes) return false;
    if (data.byteLength === 0) {
      if (id !== undefined) this.events.written(id, 0);
      return true;
    }
    this.pending.push({ data, id, written: 0 });
    this.queued += data.byteLength;
    // Starts writing in this call when idle: a keystroke reaches the port without a hop.
    if (!this.running) void this.pump();
    return true;
  }

  /** Changes the delays; applies from the next byte written. */
  setPacing(pacing: Pacing): void {
    this.pacing = { ...pacing };
  }

  /**
   * Stops writing; resolves with the writes it will not finish, in order. With a port write in
   * flight it resolves once that settles (close the port to make it prompt), so its count is
   * exact. A second call resolves with none.
   */
  dispose(): Promise<DroppedWrite[]> {
    if (this.disposed) return Promise.resolve([]);
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.inFlight) return Promise.resolve(this.drain());
    return new Promise((resolve) => {
      this.onSettled = () => resolve(this.drain());
    });
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (!this.disposed && this.head < this.pending.length) {
        const entry = this.pending[this.head] as Entry;
        const { slice, delayMs } = this.nextSlice(entry);
        this.inFlight = true;
        try {
          await this.write(slice);
        } catch (error) {
          entry.written += writtenBefore(error);
          throw error;
        } finally {
          this.inFlight = false;
        }
        this.advance(entry, slice.byteLength);
        if (this.disposed) break;
        if (delayMs > 0) await this.delay(delayMs);
      }
    } catch (error) {
      if (!this.disposed) {
        this.disposed = true;
        this.events.failed(toWireError(error), this.drain());
      }
    } finally {
      this.running = false;
      const settled = this.onSettled;
      this.onSettled = undefined;
      settled?.();
    }
  }

  /** Empties the queue; returns its unfinished writes. */
  private drain(): DroppedWrite[] {
    const dropped = this.pending
      .slice(this.head)
      .map((entry) => ({ id: entry.id, bytes: entry.data.byteLength, written: entry.written }));
    this.pending = [];
    this.head = 0;
    this.queued = 0;
    return dropped;
  }

  /** The next bytes of `entry` (the head) to write and the pause owed after them. */
  private nextSlice(entry: Entry): { slice: Uint8Array; delayMs: number } {
    const head = entry.data;
    const start = entry.written;
    const { charDelayMs, lineDelayMs } = this.pacing;
    if (charDelayMs > 0) {
      const delayMs = charDelayMs + (this.isLineEnd(head, start) ? lineDelayMs : 0);
      return { slice: head.subarray(start, start + 1), delayMs };
    }
    const limit = Math.min(head.byteLength, start + WRITE_SLICE_MAX_BYTES);
    if (lineDelayMs > 0) {
      for (let i = start; i < limit; i++) {
        if (this.isLineEnd(head, i)) return { slice: head.subarray(start, i + 1), delayMs: lineDelayMs };
      }
    }
    return { slice: head.subarray(start, limit), delayMs: 0 };
  }

  /** Whether the byte at `index` of the head chunk ends a line: LF, or CR not followed by LF (looking into the next chunk). */
  private isLineEnd(head: Uint8Array, index: number): boolean {
    const byte = head[index];
    if (byte === LF) return true;
    if (byte !== CR) return false;
    const next = index + 1 < head.byteLength ? head[index + 1] : this.pending[this.head + 1]?.data[0];
    return next !== LF;
  }

  private advance(entry: Entry, written: number): void {
    entry.written += written;
    this.queued -= written;
    if (entry.written < entry.data.byteLength) return;
    this.head++;
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER_ENTRIES) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    if (entry.id !== undefined) this.events.written(entry.id, entry.written);
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
