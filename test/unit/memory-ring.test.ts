import { describe, expect, it } from 'vitest';
import { MemoryRing } from '../../server/ports/memory-ring.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const joined = (parts: Uint8Array[]) => Array.from(Buffer.concat(parts));

describe('MemoryRing', () => {
  it('addresses bytes by absolute offset across chunks', () => {
    const sb = new MemoryRing(1024);
    sb.append(bytes(1, 2, 3));
    sb.append(bytes(4, 5));
    sb.append(bytes(6));
    expect([sb.start, sb.end]).toEqual([0, 6]);
    expect(joined(sb.read(0, 100))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(joined(sb.read(2, 3))).toEqual([3, 4, 5]);
    expect(sb.read(6, 100)).toEqual([]);
  });

  it('keeps a large chunk by reference when a read covers it whole', () => {
    const sb = new MemoryRing(1024);
    const chunk = new Uint8Array(512).fill(9);
    sb.append(chunk);
    expect(sb.read(0, 1000)[0]).toBe(chunk);
  });

  it('packs small chunks into one slab, and views read earlier stay intact as it fills', () => {
    const sb = new MemoryRing(1 << 20);
    const source = bytes(1, 2, 3);
    sb.append(source);
    const early = sb.read(0, 100);
    source.fill(0); // a copy was kept, not the caller's array
    for (let i = 0; i < 100; i++) sb.append(bytes(i, i));
    expect(sb.read(0, 1000)).toHaveLength(1); // one slab holds all 203 bytes
    expect(joined(early)).toEqual([1, 2, 3]);
    expect(joined(sb.read(201, 2))).toEqual([99, 99]);
  });

  it('starts a new slab when one is full, and never splits a chunk across slabs', () => {
    const sb = new MemoryRing(64 * 16); // slabs of 64 bytes: chunks up to 16 bytes are packed
    for (let i = 0; i < 10; i++) sb.append(new Uint8Array(10).fill(i));
    const parts = sb.read(0, 1000);
    expect(parts.map((p) => p.byteLength)).toEqual([60, 40]);
    expect(joined(parts)).toEqual(Array.from({ length: 100 }, (_, i) => Math.floor(i / 10)));
  });

  it('drops the oldest chunks past capacity, never the newest', () => {
    const sb = new MemoryRing(10);
    for (let i = 0; i < 6; i++) sb.append(new Uint8Array(4).fill(i));
    expect(sb.end).toBe(24);
    expect(sb.end - sb.start).toBeLessThanOrEqual(10);
    expect(joined(sb.read(sb.start, 100)).at(-1)).toBe(5);
    expect(() => sb.read(0, 1)).toThrow(RangeError);
    const big = new MemoryRing(4);
    big.append(new Uint8Array(100));
    expect([big.start, big.end]).toEqual([0, 100]);
  });

  it('stays correct over many appends (compaction)', () => {
    const sb = new MemoryRing(64);
    for (let i = 0; i < 5000; i++) sb.append(bytes(i & 0xff));
    expect(sb.end).toBe(5000);
    expect(joined(sb.read(4990, 3))).toEqual([4990 & 0xff, 4991 & 0xff, 4992 & 0xff]);
  });

  it('ignores empty chunks', () => {
    const sb = new MemoryRing(16);
    sb.append(new Uint8Array(0));
    expect(sb.end).toBe(0);
  });
});

describe('MemoryRing after a restart', () => {
  it('continues the stream at the offset it is given', () => {
    const ring = new MemoryRing(64, 1000);
    expect([ring.start, ring.end]).toEqual([1000, 1000]);
    ring.append(new Uint8Array([1, 2, 3]));
    expect([ring.start, ring.end]).toEqual([1000, 1003]);
    expect(Array.from(ring.read(1001, 10)[0]!)).toEqual([2, 3]);
    expect(() => ring.read(999, 1)).toThrow(RangeError);
  });

  it('reaches back a capacity from the end while filling (the capture holds those bytes), then starts at start', () => {
    const ring = new MemoryRing(64, 1000);
    expect(ring.windowStart).toBe(1000 - 64);
    ring.append(new Uint8Array(40));
    expect(ring.windowStart).toBe(1040 - 64);
    ring.append(new Uint8Array(40)); // the first chunk is dropped: the ring is full from now on
    expect(ring.start).toBe(1040);
    expect(ring.windowStart).toBe(1040);
    expect(new MemoryRing(64, 10).windowStart).toBe(0); // never before the stream's start
  });
});
