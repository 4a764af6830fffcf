import { describe, expect, it } from 'vitest';
import { DiskBlockCache, type BlockReader } from '../../server/ports/disk-block-cache.js';

/** A "disk" holding bytes [0, held) (byte i = i & 0xff), except the gap [gapFrom, gapTo); counts reads. */
function disk(held: number, gap: [number, number] = [0, 0]) {
  const state = { held, reads: 0 };
  const read: BlockReader = async (offset, maxBytes) => {
    state.reads++;
    let at = offset;
    if (at >= gap[0] && at < gap[1]) at = gap[1];
    const stop = Math.min(at + maxBytes, state.held, at < gap[0] ? gap[0] : Infinity);
    if (stop <= at) return { offset, chunks: [] };
    return { offset: at, chunks: [Uint8Array.from({ length: stop - at }, (_, i) => (at + i) & 0xff)] };
  };
  return { state, read };
}

const bytesOf = (result: { chunks: Uint8Array[] }) => result.chunks.flatMap((c) => Array.from(c));

describe('DiskBlockCache', () => {
  it('serves readers at nearby offsets from one read of the block', async () => {
    const { state, read } = disk(1000);
    const cache = new DiskBlockCache(read, 100, 4);
    const results = await Promise.all([cache.readData(110, 20), cache.readData(150, 80), cache.readData(100, 100)]);
    expect(state.reads).toBe(1);
    expect(results[0]).toEqual({ offset: 110, chunks: [expect.any(Uint8Array)] });
    expect(bytesOf(results[0]!)).toEqual(Array.from({ length: 20 }, (_, i) => 110 + i));
    expect(bytesOf(results[1]!)).toEqual(Array.from({ length: 50 }, (_, i) => 150 + i)); // to the block's end
    expect(bytesOf(results[2]!)).toHaveLength(100);
  });

  it('keeps only the most recently used blocks', async () => {
    const { state, read } = disk(1000);
    const cache = new DiskBlockCache(read, 100, 2);
    await cache.readData(0, 10);
    await cache.readData(100, 10);
    await cache.readData(0, 10); // 0 is now the newest
    await cache.readData(200, 10); // evicts 100
    expect(state.reads).toBe(3);
    await cache.readData(0, 10);
    expect(state.reads).toBe(3);
    await cache.readData(100, 10);
    expect(state.reads).toBe(4);
  });

  it('never keeps a block the disk does not hold whole: not yet flushed to its end, or with a gap', async () => {
    const partial = disk(150);
    const cache = new DiskBlockCache(partial.read, 100, 4);
    expect(bytesOf(await cache.readData(120, 50))).toHaveLength(30);
    partial.state.held = 200; // flushed further
    expect(bytesOf(await cache.readData(120, 50))).toHaveLength(50);

    const gappy = disk(1000, [30, 60]);
    const gapCache = new DiskBlockCache(gappy.read, 100, 4);
    expect(await gapCache.readData(10, 40)).toMatchObject({ offset: 10 });
    expect(bytesOf(await gapCache.readData(10, 40))).toHaveLength(20); // up to the gap
    expect((await gapCache.readData(30, 10)).offset).toBe(60); // the gap is stepped over, as the disk says
  });
});
