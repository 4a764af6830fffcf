// Stream offset tracking and render acknowledgements, after xterm.js's flow-control guide: the page
// tells the server how far it has *rendered*, so the server can treat a slow tab as slow without
// ever pausing the device for it.
import type { TimerHandle, Timers } from '../ui/timers.js';

/**
 * Ack after this many bytes rendered since the last ack: often enough that the server's window of
 * un-acked bytes never fills while the tab keeps up, rarely enough to be ~nothing on the wire.
 */
export const ACK_EVERY_BYTES = 64 * 1024;
/** Ack this long after rendering goes quiet, in ms: a trickle of output is acked within a quarter second, not per line. */
export const ACK_IDLE_MS = 250;

/** Options of a StreamTracker. */
export interface StreamTrackerOptions {
  /** Sends `{ type: 'ack', offset }`; called with strictly increasing offsets within one connection. */
  sendAck(offset: number): void;
  timers: Timers;
  ackEveryBytes?: number;
  ackIdleMs?: number;
}

/**
 * Tracks the stream offset of the next byte to arrive (the offset to resume from) and the offset rendered
 * so far. Each write to the terminal is accounted with `receive`/`skipTo`, whose returned callback goes to
 * `terminal.write(data, callback)`; acks follow from those callbacks.
 */
export class StreamTracker {
  private nextOffset = 0;
  private renderedOffset = 0;
  private ackedOffset = 0;
  private pendingWrites = 0;
  /** Bumped on every (re)start so callbacks of writes queued by an older connection are ignored. */
  private epoch = 0;
  private idleTimer: TimerHandle | null = null;
  private started = false;
  private readonly ackEveryBytes: number;
  private readonly ackIdleMs: number;

  constructor(private readonly options: StreamTrackerOptions) {
    this.ackEveryBytes = options.ackEveryBytes ?? ACK_EVERY_BYTES;
    this.ackIdleMs = options.ackIdleMs ?? ACK_IDLE_MS;
  }

  /** Offset of the next byte expected: where a reconnect resumes. Null until the first `start`. */
  resumeOffset(): number | null {
    return this.started ? this.nextOffset : null;
  }

  /** Offset of the next byte expected (0 before any connection). */
  offset(): number {
    return this.nextOffset;
  }

  /** A connection said its bytes start at `offset` (its `hello`): forget pending writes of older ones. */
  start(offset: number): void {
    this.stop();
    this.started = true;
    this.nextOffset = this.renderedOffset = this.ackedOffset = offset;
  }

  /**
   * Forgets this stream's position and takes `offset` as the next byte expected (null: none, so the next
   * connection is fresh), as when switching to another port. Callbacks of earlier writes will not ack.
   */
  restore(offset: number | null): void {
    this.stop();
    this.started = offset !== null;
    this.nextOffset = this.renderedOffset = this.ackedOffset = offset ?? 0;
  }

  /** The connection ended: callbacks still queued in the terminal will not ack. The offset is kept. */
  stop(): void {
    this.epoch += 1;
    this.pendingWrites = 0;
    this.cancelIdle();
  }

  /** Accounts for `byteCount` stream bytes about to be written; returns the terminal write callback. */
  receive(byteCount: number): () => void {
    this.nextOffset += byteCount;
    return this.writeCallback(this.nextOffset);
  }

  /** The server skipped ahead to `offset` (a `skipped` message); returns the write callback for the notice. */
  skipTo(offset: number): () => void {
    this.nextOffset = Math.max(this.nextOffset, offset);
    return this.writeCallback(this.nextOffset);
  }

  private writeCallback(endOffset: number): () => void {
    const epoch = this.epoch;
    this.pendingWrites += 1;
    return () => {
      if (epoch !== this.epoch) return;
      this.pendingWrites -= 1;
      this.renderedOffset = Math.max(this.renderedOffset, endOffset);
      if (this.renderedOffset - this.ackedOffset >= this.ackEveryBytes) this.ack();
      else if (this.pendingWrites === 0 && this.idleTimer === null && this.renderedOffset > this.ackedOffset) {
        this.idleTimer = this.options.timers.setTimeout(() => {
          this.idleTimer = null;
          this.ack();
        }, this.ackIdleMs);
      }
    };
  }

  private ack(): void {
    this.cancelIdle();
    if (this.renderedOffset <= this.ackedOffset) return;
    this.ackedOffset = this.renderedOffset;
    this.options.sendAck(this.ackedOffset);
  }

  private cancelIdle(): void {
    if (this.idleTimer !== null) this.options.timers.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
