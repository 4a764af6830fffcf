// The newest bytes the page received, with their stream offsets, for the hex view: fed from the same
// WebSocket data the console gets, bounded (older bytes fall off the front). A jump in offsets (the
// server skipped a slow page ahead, another port) starts the window again at the new offset.

/** Bytes held, by default: 64 KiB, 4096 hex rows, a few screens more than anyone reads in hex. */
export const DEFAULT_BYTE_WINDOW_BYTES = 64 * 1024;

/** A bounded window of a stream: bytes from `start` to `end`. */
export class ByteWindow {
  private buffer: Uint8Array;
  private length = 0;
  private startOffset = 0;

  constructor(readonly capacityBytes = DEFAULT_BYTE_WINDOW_BYTES) {
    this.buffer = new Uint8Array(capacityBytes);
  }

  /** Stream offset of the oldest byte held. */
  get start(): number {
    return this.startOffset;
  }

  /** Stream offset after the newest byte held. */
  get end(): number {
    return this.startOffset + this.length;
  }

  /** Adds `bytes`, which start at stream offset `offset`; a jump (offset !== end) drops what was held. */
  push(offset: number, bytes: Uint8Array): void {
    if (this.length === 0 || offset !== this.end) {
      this.length = 0;
      this.startOffset = offset;
    }
    const cap = this.capacityBytes;
    if (bytes.length >= cap) {
      this.buffer.set(bytes.subarray(bytes.length - cap));
      this.startOffset = offset + bytes.length - cap;
      this.length = cap;
      return;
    }
    const overflow = this.length + bytes.length - cap;
    if (overflow > 0) {
      this.buffer.copyWithin(0, overflow, this.length);
      this.length -= overflow;
      this.startOffset += overflow;
    }
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Forgets everything; the next push starts a new window. */
  clear(): void {
    this.length = 0;
    this.startOffset = 0;
  }

  /** A copy of the bytes held (from `start`). */
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
