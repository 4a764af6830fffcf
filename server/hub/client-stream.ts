// One WebSocket client's view of the shared stream: a cursor into the scrollback, sent as fast as
// this client's socket (and, for browser tabs, its render acks) allow. A client that falls behind
// the scrollback is skipped ahead with an explicit notice; it never holds back the device or others.
import type { WebSocket } from 'ws';
import { encodeMessage, type ServerMessage } from '../protocol.js';
import type { Scrollback } from './scrollback.js';

/** Per-client flow limits, in bytes. */
export interface StreamLimits {
  /** Stop sending while ws.bufferedAmount is above this: the client's bounded queue. */
  socketHighWaterBytes: number;
  /** For clients that ack: most bytes sent but not yet acked as rendered. */
  ackWindowBytes: number;
  /** Largest binary frame; catching-up reads are merged up to this to cut per-frame overhead. */
  frameBytes: number;
}

/** Defaults: sized so one client stays well under a MiB while a LAN client still sees full speed. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  socketHighWaterBytes: 256 * 1024, // 256 KiB: ~10 ms of a fast LAN, enough to keep the pipe full
  ackWindowBytes: 1024 * 1024, // 1 MiB: several of xterm's ~100 KiB write-callback batches in flight
  frameBytes: 64 * 1024, // 64 KiB: large enough to amortise framing, small enough to interleave
};

/** Streams the scrollback to one socket from a start offset, skipping ahead when it falls out of it. */
export class ClientStream {
  private cursor: number;
  private acked: number | null = null; // null until the client's first ack: scripts never ack
  private pendingSkip = 0;

  /** Starts at `offset` (already clamped into the scrollback by the caller). */
  constructor(
    private readonly ws: WebSocket,
    private readonly scrollback: Scrollback,
    private readonly limits: StreamLimits,
    offset: number,
  ) {
    this.cursor = offset;
  }

  /** Next stream offset this client will be sent. */
  get offset(): number {
    return this.cursor;
  }

  /** Records that the client rendered everything before `offset`, and sends more if that was the limit. */
  ack(offset: number): void {
    // Acks beyond what was sent are clamped: a confused client must not open an unbounded window.
    this.acked = Math.min(offset, this.cursor);
    this.pump();
  }

  /** Sends a control message now (tiny, rare: not subject to the byte limits). */
  sendControl(message: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeMessage(message));
  }

  /** Sends whatever the limits allow; call after new data arrives, a send completes, or an ack. */
  pump(): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const sb = this.scrollback;
    if (this.cursor < sb.start) {
      // What this client still needed has left the scrollback: jump to live output.
      this.pendingSkip += sb.end - this.cursor;
      this.cursor = sb.end;
    }
    while (this.cursor < sb.end && this.canSend()) {
      if (this.pendingSkip > 0) this.flushSkipNotice();
      const parts = sb.read(this.cursor, this.limits.frameBytes);
      const frame = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      this.cursor += frame.byteLength;
      this.ws.send(frame, { binary: true }, this.onSent);
    }
    if (this.pendingSkip > 0 && this.canSend()) this.flushSkipNotice();
  }

  private canSend(): boolean {
    if (this.ws.bufferedAmount >= this.limits.socketHighWaterBytes) return false;
    return this.acked === null || this.cursor - this.acked < this.limits.ackWindowBytes;
  }

  private flushSkipNotice(): void {
    this.sendControl({ type: 'skipped', bytes: this.pendingSkip, offset: this.cursor, reason: 'slow-client' });
    this.pendingSkip = 0;
  }

  private readonly onSent = (error?: Error): void => {
    // A send error means the socket is going away; its 'close' handler cleans up.
    if (!error) this.pump();
  };
}
