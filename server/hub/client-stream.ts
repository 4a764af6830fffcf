// One WebSocket client's view of the shared stream: a cursor into the scrollback, sent as fast as
// this client's socket (and, for browser tabs, its render acks) allow. A client that falls behind
// the scrollback is skipped ahead with an explicit notice; it never holds back the device or others.
// Binary frames go straight to the client's socket, framed once for every client at the same
// offset (SharedFrames); control messages go through ws, which writes them to the same socket in order.
import type { WebSocket } from 'ws';
import { encodeMessage, type ServerMessage } from '../wire/protocol.js';
import type { SharedFrames } from './binary-frames.js';

/**
 * The raw socket under a client's WebSocket (the one handed to ws on upgrade), as far as this
 * stream writes to it. ws writes nothing of its own that could interleave: no compression, no Blobs.
 */
export interface FrameSink {
  write(frame: Uint8Array): boolean;
  readonly writableLength: number;
  readonly writableHighWaterMark: number;
  on(event: 'drain', listener: () => void): unknown;
}

/** Per-client flow limits, in bytes. */
export interface StreamLimits {
  /** Stop sending while the socket holds this much unsent: the client's bounded queue (raised to the socket's own high-water mark, so a full queue always ends in 'drain'). */
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
  private readonly socketHighWaterBytes: number;

  /** Starts at `offset` (already clamped into the scrollback by the caller); sends more on the socket's 'drain'. */
  constructor(
    private readonly ws: WebSocket,
    private readonly socket: FrameSink,
    private readonly frames: SharedFrames,
    private readonly limits: StreamLimits,
    offset: number,
  ) {
    this.cursor = offset;
    this.socketHighWaterBytes = Math.max(limits.socketHighWaterBytes, socket.writableHighWaterMark);
    socket.on('drain', () => this.pump());
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

  /** Sends whatever the limits allow; call after new data arrives (an ack and the socket's 'drain' call it themselves). */
  pump(): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const end = this.frames.end;
    if (this.cursor < this.frames.start) {
      // What this client still needed has left the scrollback: jump to live output.
      this.pendingSkip += end - this.cursor;
      this.cursor = end;
    }
    while (this.cursor < end && this.canSend()) {
      if (this.pendingSkip > 0) this.flushSkipNotice();
      const frame = this.frames.frameAt(this.cursor);
      this.cursor += frame.payloadBytes;
      // No write callback: the next pump comes from new data, an ack or the socket's 'drain'.
      this.socket.write(frame.bytes);
    }
    if (this.pendingSkip > 0 && this.canSend()) this.flushSkipNotice();
  }

  private canSend(): boolean {
    if (this.socket.writableLength >= this.socketHighWaterBytes) return false;
    return this.acked === null || this.cursor - this.acked < this.limits.ackWindowBytes;
  }

  private flushSkipNotice(): void {
    this.sendControl({ type: 'skipped', bytes: this.pendingSkip, offset: this.cursor, reason: 'slow-client' });
    this.pendingSkip = 0;
  }
}
