// A port's memory ring: the newest `capacityBytes` of its stream, by absolute stream offset (the
// capture on disk holds the rest). Large chunks are kept as the worker transferred them (no copy); small ones (a
// line or two each, the usual serial traffic) are packed into slabs, so a MiB of history is a few
// dozen objects for the garbage collector to trace instead of thousands. Clients read it by
// offset, so one slow client costs a cursor, not a copy of the stream.

/** Slab size for packing small chunks, in bytes: 64 KiB, a frame's worth (capped at 1/16 of the capacity so eviction stays fine-grained). */
const SLAB_BYTES = 64 * 1024;
/** Capacity ÷ slab size at least this: a slab is dropped whole, so it must be a small part of the history. */
const SLABS_PER_CAPACITY = 16;
/**
 * Largest chunk packed, in bytes: a few lines, what a serial line delivers per read. Bigger reads
 * (a pty or USB link flat out) are kept as they came: copying them would double what the GC holds.
 */
const PACK_MAX_BYTES = 1024;

/** A bounded byte history addressed by absolute stream offset (offset 0 = first byte ever read). */
export class MemoryRing {
  private chunks: Uint8Array[] = [];
  private starts: number[] = []; // starts[i] = stream offset of chunks[i][0]
  private head = 0; // index of the oldest live chunk; dropped chunks are compacted away lazily
  private bytes = 0;
  private endOffset = 0;
  private readonly slabBytes: number;
  private slab: Uint8Array | null = null; // the slab being filled: it is chunks[chunks.length - 1]'s buffer
  private slabFill = 0;
  private filled = false; // set once the ring first drops old bytes: from then on it holds a full window

  /** capacityBytes: how much history to keep (the newest chunk is always kept whole); the first byte appended gets offset `startOffset`. */
  constructor(
    private readonly capacityBytes: number,
    startOffset = 0,
  ) {
    this.slabBytes = Math.min(SLAB_BYTES, Math.floor(capacityBytes / SLABS_PER_CAPACITY));
    this.endOffset = startOffset;
  }

  /** Offset of the oldest byte still held. */
  get start(): number {
    return this.endOffset - this.bytes;
  }

  /**
   * Oldest offset of the newest `capacityBytes` of the stream: `start` once the ring has filled; while
   * it is still filling after starting mid-stream (a restart on a kept capture), earlier than `start`.
   */
  get windowStart(): number {
    return this.filled ? this.start : Math.max(0, this.endOffset - this.capacityBytes);
  }

  /** Offset one past the newest byte: the start offset plus every byte appended. */
  get end(): number {
    return this.endOffset;
  }

  /** Appends a chunk (a large one is kept by reference: the caller must not modify it afterwards). */
  append(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    if (chunk.byteLength <= PACK_MAX_BYTES && chunk.byteLength * 4 <= this.slabBytes) this.pack(chunk);
    else {
      this.slab = null;
      this.chunks.push(chunk);
      this.starts.push(this.endOffset);
    }
    this.endOffset += chunk.byteLength;
    this.bytes += chunk.byteLength;
    while (this.bytes > this.capacityBytes && this.chunks.length - this.head > 1) {
      this.bytes -= this.oldestLength();
      this.head++;
      this.filled = true;
    }
    // Compact once the dead prefix dominates: amortised O(1) per chunk.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Moves the end forward to `offset` without bytes (a gap in a stream received from elsewhere, the
   * fleet console's remote ports): everything held is dropped, since the ring holds one contiguous run.
   */
  jumpTo(offset: number): void {
    if (offset <= this.endOffset) return;
    this.chunks = [];
    this.starts = [];
    this.head = 0;
    this.bytes = 0;
    this.slab = null;
    this.endOffset = offset;
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

  /** Copies a small chunk into the current slab (a new one when it is full) and widens the slab's entry over it. */
  private pack(chunk: Uint8Array): void {
    if (this.slab === null || this.slabFill + chunk.byteLength > this.slab.byteLength) {
      this.slab = new Uint8Array(this.slabBytes);
      this.slabFill = 0;
      this.chunks.push(this.slab.subarray(0, 0));
      this.starts.push(this.endOffset);
    }
    this.slab.set(chunk, this.slabFill);
    this.slabFill += chunk.byteLength;
    // Bytes already in the slab never change, so views handed out earlier stay valid.
    this.chunks[this.chunks.length - 1] = this.slab.subarray(0, this.slabFill);
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
