import { describe, expect, it } from 'vitest';
import { ReadBatcher } from '../../server/serial/read-batcher.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadBatcher', () => {
  it('delivers the chunks pushed in one run of JavaScript as one batch, in order', async () => {
    const batches: Uint8Array[] = [];
    const batcher = new ReadBatcher((batch) => batches.push(batch));
    batcher.push(Uint8Array.of(1, 2));
    batcher.push(Uint8Array.of(3));
    expect(batches).toHaveLength(0);
    await nextTurn();
    expect(batches).toEqual([Uint8Array.of(1, 2, 3)]);
  });

  it('copies into an array that owns its whole buffer (safe to transfer, never a pool slice)', async () => {
    const batches: Uint8Array[] = [];
    const batcher = new ReadBatcher((batch) => batches.push(batch));
    const pool = new Uint8Array(64).fill(7);
    batcher.push(pool.subarray(8, 12));
    await nextTurn();
    const [batch] = batches;
    expect(batch?.byteOffset).toBe(0);
    expect(batch?.buffer.byteLength).toBe(4);
    pool.fill(0);
    expect(batch).toEqual(Uint8Array.of(7, 7, 7, 7));
  });

  it('flushes at once when a batch reaches its byte cap', () => {
    const batches: Uint8Array[] = [];
    const batcher = new ReadBatcher((batch) => batches.push(batch), 8);
    batcher.push(new Uint8Array(5));
    expect(batches).toHaveLength(0);
    batcher.push(new Uint8Array(3));
    expect(batches.map((b) => b.byteLength)).toEqual([8]);
  });

  it('stamps each batch with the time its first chunk arrived', () => {
    const batches: Array<[number[], number]> = [];
    let clock = 1_000.25;
    const batcher = new ReadBatcher((batch, timeMs) => batches.push([[...batch], timeMs]), 64, () => clock);
    batcher.push(Uint8Array.of(1));
    clock = 1_003.5; // later chunks of the same batch keep the first one's time
    batcher.push(Uint8Array.of(2));
    batcher.flush();
    batcher.push(Uint8Array.of(3));
    batcher.flush();
    expect(batches).toEqual([
      [[1, 2], 1_000.25],
      [[3], 1_003.5],
    ]);
  });

  it('flush() delivers pending bytes now; dispose() drops them', async () => {
    const batches: Uint8Array[] = [];
    const batcher = new ReadBatcher((batch) => batches.push(batch));
    batcher.push(Uint8Array.of(1));
    batcher.flush();
    expect(batches).toEqual([Uint8Array.of(1)]);
    batcher.push(Uint8Array.of(2));
    batcher.dispose();
    await nextTurn();
    expect(batches).toHaveLength(1);
  });
});
