// One WebSocket client's view of a port's stream: a cursor, sent as fast as this client's socket
// (and, for browser tabs, its render acks) allow. Bytes still in the memory ring go out as frames
// shared by every client at the same offset; a lossless client that fell behind the ring is fed
// from the capture on disk, one bounded read at a time, in order; a live client is skipped ahead
// with an explicit notice instead. Either way it never holds back the device or the others.
import type { WebSocket } from 'ws';
import { encodeMessage, type ServerMessage, type SkipReason, type StreamMode } from '../wire/protocol.js';
import { frameBinary, type BinaryFrame } from './binary-frames.js';

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

/** Where a client stream reads: the port's channel and its shared frames, as far as the stream needs them. */
export interface StreamSource {
  /** Oldest offset in memory. */
  readonly memoryStart: number;
  /** Clients may be sent bytes below this. */
  readonly deliverableEnd: number;
  /** Oldest offset a live client is still sent (below memoryStart only while memory refills after a restart). */
  readonly liveStart: number;
  /** Oldest offset readable at all (disk or memory). */
  readonly oldest: number;
  /** The shared frame for [offset, end) (or its first maxPayload bytes); the range must be in memory. */
  frameAt(offset: number, end: number): BinaryFrame;
  /** Up to maxBytes from disk at offset; the result's offset is past any gap. */
  readDisk(offset: number, maxBytes: number): Promise<{ offset: number; chunks: Uint8Array[] }>;
  /** Why [from, to) cannot be delivered. */
  skipReason(from: number, to: number): SkipReason;
}

/** Per-client flow limits, in bytes. */
export interface StreamLimits {
  /** Stop sending while the socket holds this much unsent: the client's bounded queue (raised to the socket's own high-water mark, so a full queue always ends in 'drain'). */
  socketHighWaterBytes: number;
  /** For clients that ack: most bytes sent but not yet acked as rendered. */
  ackWindowBytes: number;
  /** Largest binary frame; catching-up reads (memory or disk) are merged up to this to cut per-frame overhead. */
  frameBytes: number;
}

/** Defaults: sized so one client stays well under a MiB while a LAN client still sees full speed. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  socketHighWaterBytes: 256 * 1024, // 256 KiB: ~10 ms of a fast LAN, enough to keep the pipe full
  ackWindowBytes: 1024 * 1024, // 1 MiB: several of xterm's ~100 KiB write-callback batches in flight
  frameBytes: 64 * 1024, // 64 KiB: large enough to amortise framing, small enough to interleave
};

/**
 * Retry delay when the disk does not hold the client's next bytes yet (they are between the memory
 * ring and the capture's next flush), in ms: well under a flush interval, and only a lossless
 * client far behind a flat-out device ever waits on it.
 */
export const DISK_RETRY_MS = 20;
/**
 * Frames per disk read: a catching-up client reads 4 frames' worth (256 KiB by default) at a time,
 * since each read costs a file open and a seek from the sparse index; the socket may then hold up to
 * that much past its high-water mark, a bounded overshoot.
 */
export const DISK_READ_FRAMES = 4;

/** Streams a port's channel to one socket from a start offset. */
export class ClientStream {
  private cursor: number;
  private acked: number | null = null; // null until the client's first ack: scripts never ack
  /** Skips past the last ack: their bytes were never sent, so they are not in the client's ack window. */
  private skipsSinceAck: Array<{ end: number; bytes: number }> = [];
  private pendingSkip: { bytes: number; reason: SkipReason } | null = null;
  private readingDisk = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly socketHighWaterBytes: number;

  /** Starts at `offset` (within [source.oldest, end], or a gap the first read reports); sends more on the socket's 'drain'. */
  constructor(
    private readonly ws: WebSocket,
    private readonly socket: FrameSink,
    private readonly source: StreamSource,
    private readonly limits: StreamLimits,
    offset: number,
    readonly mode: StreamMode,
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
    const acked = this.acked;
    this.skipsSinceAck = this.skipsSinceAck.filter((skip) => skip.end > acked);
    this.pump();
  }

  /** Sends a control message now (tiny, rare: not subject to the byte limits). */
  sendControl(message: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeMessage(message));
  }

  /** Reports [offset - bytes, offset) as not deliverable, before the next bytes (used for a resume into a gap). */
  skipTo(offset: number, reason: SkipReason): void {
    if (offset <= this.cursor) return;
    this.addSkip(offset - this.cursor, reason);
    this.cursor = offset;
  }

  /** Sends whatever the limits allow; call after new data arrives (an ack, the socket's 'drain' and disk reads call it themselves). */
  pump(): void {
    if (this.ws.readyState !== this.ws.OPEN || this.readingDisk) return;
    const end = this.source.deliverableEnd;
    if (this.cursor < this.source.liveStart && this.mode === 'live') {
      // What this live client still needed is older than the live window: jump to the newest output.
      this.addSkip(end - this.cursor, 'slow-client');
      this.cursor = end;
    }
    if (this.cursor < this.source.oldest) this.skipTo(this.source.oldest, this.source.skipReason(this.cursor, this.source.oldest));
    while (this.cursor < end && this.canSend()) {
      if (this.pendingSkip) this.flushSkipNotice();
      if (this.cursor < this.source.memoryStart) return this.readDisk(end);
      const frame = this.source.frameAt(this.cursor, end);
      this.cursor += frame.payloadBytes;
      // No write callback: the next pump comes from new data, an ack or the socket's 'drain'.
      this.socket.write(frame.bytes);
    }
    // A notice is a small control message: only a full socket holds it back, not the ack window.
    if (this.pendingSkip && this.socketHasRoom()) this.flushSkipNotice();
  }

  /** Stops timers (the socket closed). */
  dispose(): void {
    clearTimeout(this.retryTimer);
  }

  private readDisk(end: number): void {
    this.readingDisk = true;
    const from = this.cursor;
    this.source.readDisk(from, this.limits.frameBytes * DISK_READ_FRAMES).then(
      ({ offset, chunks }) => {
        this.readingDisk = false;
        if (this.ws.readyState !== this.ws.OPEN) return;
        if (offset > from) this.skipTo(offset, this.source.skipReason(from, offset));
        const parts = trim(chunks, Math.max(0, end - this.cursor));
        let bytes = 0;
        for (const part of parts) bytes += part.byteLength;
        if (bytes === 0) {
          // Not flushed to disk yet (or the gap reached memory): try again shortly, or now from memory.
          if (this.cursor < this.source.memoryStart) this.retryLater();
          else this.pump();
          return;
        }
        if (this.pendingSkip) this.flushSkipNotice();
        for (const frame of framesOf(parts, this.limits.frameBytes)) this.socket.write(frameBinary(frame));
        this.cursor += bytes;
        this.pump();
      },
      () => {
        // The capture could not be read (a deleted segment, an I/O error): say so and go on from memory.
        this.readingDisk = false;
        const to = Math.max(this.cursor, this.source.memoryStart);
        this.skipTo(to, 'not-captured');
        this.pump();
      },
    );
  }

  private retryLater(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.pump(), DISK_RETRY_MS);
  }

  private canSend(): boolean {
    if (!this.socketHasRoom()) return false;
    if (this.acked === null) return true;
    let unacked = this.cursor - this.acked;
    for (const skip of this.skipsSinceAck) unacked -= skip.bytes;
    return unacked < this.limits.ackWindowBytes;
  }

  private socketHasRoom(): boolean {
    return this.socket.writableLength < this.socketHighWaterBytes;
  }

  /** Records a skip of `bytes` ending where the cursor is about to be moved (callers move it right after). */
  private addSkip(bytes: number, reason: SkipReason): void {
    if (bytes <= 0) return;
    if (this.acked !== null) this.skipsSinceAck.push({ end: this.cursor + bytes, bytes });
    if (this.pendingSkip && this.pendingSkip.reason !== reason) this.flushSkipNotice();
    this.pendingSkip = { bytes: (this.pendingSkip?.bytes ?? 0) + bytes, reason };
  }

  private flushSkipNotice(): void {
    const skip = this.pendingSkip;
    if (!skip) return;
    this.sendControl({ type: 'skipped', bytes: skip.bytes, offset: this.cursor, reason: skip.reason });
    this.pendingSkip = null;
  }
}

/** The first `maxBytes` of `chunks`. */
function trim(chunks: Uint8Array[], maxBytes: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let budget = maxBytes;
  for (const chunk of chunks) {
    if (budget <= 0) break;
    out.push(chunk.byteLength <= budget ? chunk : chunk.subarray(0, budget));
    budget -= chunk.byteLength;
  }
  return out;
}

/** `parts` regrouped into frames of at most `frameBytes` each (views, no copy). */
function framesOf(parts: Uint8Array[], frameBytes: number): Uint8Array[][] {
  const frames: Uint8Array[][] = [];
  let frame: Uint8Array[] = [];
  let room = frameBytes;
  for (const part of parts) {
    for (let at = 0; at < part.byteLength; ) {
      const take = Math.min(room, part.byteLength - at);
      frame.push(at === 0 && take === part.byteLength ? part : part.subarray(at, at + take));
      at += take;
      room -= take;
      if (room === 0) {
        frames.push(frame);
        frame = [];
        room = frameBytes;
      }
    }
  }
  if (frame.length > 0) frames.push(frame);
  return frames;
}
