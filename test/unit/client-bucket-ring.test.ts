import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketRing } from '../../client/views/bucket-ring.js';

describe('BucketRing: min/max per bucket over a window', () => {
  it('keeps the min and max of every bucket, with their times, in arrival order', () => {
    const ring = new BucketRing(10, 4);
    for (const [t, v] of [[0, 5], [3, 9], [7, 1], [12, 4], [18, 4]] as const) ring.add('a', t, v);
    expect(ring.buckets('a')).toEqual([
      { index: 0, min: 1, max: 9, minTimeMs: 7, maxTimeMs: 3 },
      { index: 1, min: 4, max: 4, minTimeMs: 12, maxTimeMs: 12 },
    ]);
    // Aligned: two rows per bucket; max came before min in bucket 0; a one-point bucket leaves its second row empty.
    expect(ring.aligned(['a'])).toEqual({ times: [0, 5, 10, 15], columns: [[9, 1, 4, null]] });
    expect(ring.extent('a')).toEqual({ min: 1, max: 9 });
    expect(ring.last('a')).toEqual({ timeMs: 18, value: 4 });
  });

  it('property: every bucket keeps exactly the min and max of the points that fell in it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1 }), (points) => {
        const ring = new BucketRing(50, 20); // covers the whole 0..999 range: nothing falls out
        for (const [t, v] of points) ring.add('s', t, v);
        for (const b of ring.buckets('s')) {
          const inBucket = points.filter(([t]) => Math.floor(t / 50) === b.index).map(([, v]) => v);
          expect(b.min).toBe(Math.min(...inBucket));
          expect(b.max).toBe(Math.max(...inBucket));
        }
        expect(ring.buckets('s').length).toBe(new Set(points.map(([t]) => Math.floor(t / 50))).size);
      }),
    );
  });

  it('drops buckets that fall out of the window, so memory stays fixed however many points come', () => {
    const ring = BucketRing.forWindow(1_000, 100); // 10 ms buckets, 101 slots
    for (let i = 0; i < 1_000_000; i++) ring.add('fast', i / 10, Math.sin(i)); // a million points over 100 s
    const buckets = ring.buckets('fast');
    expect(buckets.length).toBe(101);
    expect(buckets[0]!.index).toBe(ring.newestIndex() - 100);
    expect(ring.aligned(['fast']).times.length).toBe(202);
    expect(ring.add('fast', 0, 1)).toBe(false); // far older than the window
  });

  it('aligns series with different rates on the same bucket grid, null where a series has no point', () => {
    const ring = new BucketRing(100, 10);
    for (let t = 0; t < 400; t += 10) ring.add('fast', t, t);
    ring.add('slow', 250, 7);
    const { times, columns } = ring.aligned(['fast', 'slow', 'unknown']);
    expect(times).toEqual([0, 50, 100, 150, 200, 250, 300, 350]);
    expect(columns[0]).toEqual([0, 90, 100, 190, 200, 290, 300, 390]);
    expect(columns[1]).toEqual([null, null, null, null, 7, null, null, null]);
    expect(columns[2]).toEqual(times.map(() => null));
  });

  it('limits aligned rows to a time range, and ignores values that are not finite', () => {
    const ring = new BucketRing(10, 100);
    for (let t = 0; t < 100; t += 10) ring.add('a', t, t);
    expect(ring.add('a', 5, Number.NaN)).toBe(false);
    expect(ring.add('a', Number.POSITIVE_INFINITY, 1)).toBe(false);
    expect(ring.aligned(['a'], 30, 59).times).toEqual([30, 35, 40, 45, 50, 55]);
  });

  it('refuses a ring that could not hold a window', () => {
    expect(() => new BucketRing(0, 10)).toThrow(/bucketMs > 0/);
    expect(() => new BucketRing(10, 1)).toThrow(/capacity >= 2/);
  });
});
