// Readers that fall behind memory read the capture from disk; when several lag together (ten
// lossless clients behind a flat-out device), each would read, checksum and copy the same bytes.
// This cache reads the capture in aligned blocks and keeps the last few, so readers at nearby
// offsets share one read. Only whole, gap-free blocks are kept: anything else (a block not yet
// flushed to its end, a gap) is read directly, every time, as before.

/** Block size, in bytes: four 64 KiB frames, the most one catching-up client asks for at a time. */
export const DISK_BLOCK_BYTES = 256 * 1024;
/** Blocks kept, newest used last: 4 MiB, enough for clients a few MiB apart to share reads. */
export const DISK_BLOCKS_KEPT = 16;

/** What the cache reads: the capture's readData. */
export type BlockReader = (offset: number, maxBytes: number) => Promise<{ offset: number; chunks: Uint8Array[] }>;

/** A bounded cache of whole capture blocks in front of a BlockReader. */
export class DiskBlockCache {
  private readonly blocks = new Map<number, Promise<Uint8Array | null>>();

  constructor(
    private readonly read: BlockReader,
    private readonly blockBytes = DISK_BLOCK_BYTES,
    private readonly blocksKept = DISK_BLOCKS_KEPT,
  ) {}

  /** Up to `maxBytes` from `offset`, as readData answers (the offset moved past a gap, chunks empty at the flushed end). */
  async readData(offset: number, maxBytes: number): Promise<{ offset: number; chunks: Uint8Array[] }> {
    const start = offset - (offset % this.blockBytes);
    const block = await this.block(start);
    if (!block) return this.read(offset, maxBytes);
    const from = offset - start;
    const take = Math.min(maxBytes, block.byteLength - from);
    return { offset, chunks: [block.subarray(from, from + take)] };
  }

  /** Forgets every block (retention deleted segments, or the capture closed). */
  clear(): void {
    this.blocks.clear();
  }

  /** The whole block at `start`, read once and shared, or null when the disk does not hold it whole (yet). */
  private block(start: number): Promise<Uint8Array | null> {
    const cached = this.blocks.get(start);
    if (cached) {
      // Map order is insertion order: re-inserting marks it as the most recently used.
      this.blocks.delete(start);
      this.blocks.set(start, cached);
      return cached;
    }
    const reading = this.read(start, this.blockBytes).then((result) => {
      const whole = result.offset === start && length(result.chunks) === this.blockBytes ? join(result.chunks, this.blockBytes) : null;
      if (!whole) this.blocks.delete(start);
      return whole;
    });
    reading.catch(() => this.blocks.delete(start));
    this.blocks.set(start, reading);
    while (this.blocks.size > this.blocksKept) this.blocks.delete(this.blocks.keys().next().value as number);
    return reading;
  }
}

function length(chunks: Uint8Array[]): number {
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  return total;
}

function join(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
