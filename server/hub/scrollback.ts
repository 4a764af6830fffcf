// The shared scrollback: every byte the device sent, by absolute stream offset, for the last
// `capacityBytes`. Kept as the immutable chunks the worker transferred (no copy on the hot path);
// clients read from it by offset, so one slow client costs a cursor, not a copy of the stream.

/** A bounded byte history addressed by absolute stream offset (offset 0 = first byte ever read). */
export class Scrollback {
  private chunks: Uint8Array[] = [];
  private starts: number[] = []; // starts[i] = stream offset of chunks[i][0]
  private head = 0; // index of the oldest live chunk; dropped chunks are compacted away lazily
  private bytes = 0;
  private endOffset = 0;

  /** capacityBytes: how much history to keep; the newest chunk is always kept whole. */
  constructor(private readonly capacityBytes: number) {}

  /** Offset of the oldest byte still held. */
  get start(): number {
    return this.endOffset - this.bytes;
  }

  /** Offset one past the newest byte: the total number of bytes ever appended. */
  get end(): number {
    return this.endOffset;
  }

  /** Appends a chunk (kept by reference: the caller must not modify it afterwards). */
  append(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.starts.push(this.endOffset);
    this.endOffset += chunk.byteLength;
    this.bytes += chunk.byteLength;
    while (this.bytes > this.capacityBytes && this.chunks.length - this.head > 1) {
      this.bytes -= this.oldestLength();
      this.head++;
    }
    // Compact once the dead prefix dominates: amortised O(1) per chunk.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Up to `maxBytes` held bytes from `offset` on, as views of the stored chunks (no copy).
   * `offset` must lie in [start, end]; returns [] at end.
   */
  read(offset: number, maxBytes: number): Uint8Array[] {
    if (offset < this.start || offset > this.endOffset) throw new RangeError(`offset ${offset} is not buffered`);
    const out: Uint8Array[] = [];
    let i = this.findChunk(offset);
    let at = offset;
    let budget = maxBytes;
    while (budget > 0 && i < this.chunks.length) {
      const chunk = this.chunks[i]!;
      const from = at - this.starts[i]!;
      const take = Math.min(chunk.byteLength - from, budget);
      out.push(from === 0 && take === chunk.byteLength ? chunk : chunk.subarray(from, from + take));
      at += take;
      budget -= take;
      i++;
    }
    return out;
  }

  private oldestLength(): number {
    return this.chunks[this.head]?.byteLength ?? 0;
  }

  /** Index of the chunk holding `offset` (or chunks.length at end), by binary search. */
  private findChunk(offset: number): number {
    let lo = this.head;
    let hi = this.chunks.length - 1;
    if (hi < lo || offset >= this.endOffset) return this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
