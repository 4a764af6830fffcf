import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParsedRecord } from '../../server/lines/records/record-types.js';
import { SeriesRing } from '../../server/lines/series-ring.js';
import { SERIES_BUDGET_BYTES, SeriesStore } from '../../server/lines/series-store.js';

const record = (timeMs: number, fields: ParsedRecord['fields'], units?: Record<string, string>): ParsedRecord => ({
  offset: 0,
  timeMs,
  format: 'json',
  fields,
  ...(units ? { units } : {}),
});

describe('series ring', () => {
  it('keeps the newest points when full, in time order', () => {
    const ring = new SeriesRing(3);
    for (let t = 1; t <= 5; t++) ring.push(t, t * 10);
    expect(ring.length).toBe(3);
    expect(ring.read(0, 100, 100)).toEqual({ times: [3, 4, 5], values: [30, 40, 50], count: 3 });
  });

  it('never lets time go backwards, and drops points before a time', () => {
    const ring = new SeriesRing(10);
    ring.push(10, 1);
    ring.push(5, 2);
    ring.push(20, 3);
    expect(ring.read(0, 100, 10).times).toEqual([10, 10, 20]);
    ring.dropBefore(15);
    expect(ring.read(0, 100, 10).times).toEqual([20]);
  });

  it('shrinks to a new cap keeping the newest points', () => {
    const ring = new SeriesRing(1000);
    for (let t = 0; t < 600; t++) ring.push(t, t);
    ring.setMaxPoints(100);
    expect(ring.length).toBe(100);
    expect(ring.bytes).toBe(100 * 16);
    expect(ring.firstTimeMs).toBe(500);
    ring.push(600, 600);
    expect(ring.firstTimeMs).toBe(501);
  });

  it('reads a range inclusively and decimates to min and max per time bucket', () => {
    const ring = new SeriesRing(1000);
    for (let t = 0; t < 100; t++) ring.push(t, t % 10 === 3 ? 100 : t % 10 === 7 ? -100 : 0);
    const all = ring.read(10, 19, 100);
    expect(all.times).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const slice = ring.read(0, 99, 20); // 10 buckets of 10 ms
    expect(slice.count).toBe(100);
    expect(slice.times).toHaveLength(20);
    expect(slice.values).toEqual(Array.from({ length: 10 }, () => [100, -100]).flat());
    expect(slice.times.slice(0, 2)).toEqual([3, 7]);
  });

  it('skips NaN (a failed reading) when decimating', () => {
    const ring = new SeriesRing(100);
    ring.push(0, Number.NaN);
    ring.push(1, 5);
    ring.push(2, Number.NaN);
    expect(ring.read(0, 2, 2)).toEqual({ times: [1], values: [5], count: 3 });
  });

  it('decimation keeps the minimum and maximum of every bucket, and at most maxPoints points (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 2, max: 64 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 20000 }),
        (steps, maxPoints, fromMs, spanMs) => {
          const ring = new SeriesRing(10_000);
          const points: Array<[number, number]> = [];
          let t = 0;
          for (const [dt, v] of steps) {
            t += dt;
            ring.push(t, v);
            points.push([t, v]);
          }
          const toMs = fromMs + spanMs;
          const inRange = points.filter(([pt]) => pt >= fromMs && pt <= toMs);
          const out = ring.read(fromMs, toMs, maxPoints);
          expect(out.count).toBe(inRange.length);
          expect(out.times.length).toBeLessThanOrEqual(Math.max(maxPoints, 0));
          for (let i = 1; i < out.times.length; i++) expect(out.times[i]!).toBeGreaterThanOrEqual(out.times[i - 1]!);
          if (inRange.length <= maxPoints) {
            expect(out.times).toEqual(inRange.map(([pt]) => pt));
            return;
          }
          const buckets = Math.floor(maxPoints / 2);
          const bucketOf = (pt: number) => Math.min(buckets - 1, Math.floor(((pt - fromMs) * buckets) / spanMs));
          const got = new Map<number, number[]>();
          out.times.forEach((pt, i) => got.set(bucketOf(pt), [...(got.get(bucketOf(pt)) ?? []), out.values[i]!]));
          const want = new Map<number, number[]>();
          for (const [pt, v] of inRange) want.set(bucketOf(pt), [...(want.get(bucketOf(pt)) ?? []), v]);
          for (const [bucket, values] of want) {
            const kept = got.get(bucket) ?? [];
            expect(kept).toContain(Math.min(...values));
            expect(kept).toContain(Math.max(...values));
            expect(kept.length).toBeLessThanOrEqual(2);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('series store', () => {
  it('makes a series of each numeric field and keeps the latest value of every field, with units', () => {
    const store = new SeriesStore();
    store.add(record(1000, { temp: 21.4, status: 'ok', on: true }, { temp: '°C' }));
    store.add(record(2000, { temp: 21.6, status: 'warm' }));
    expect(store.names()).toEqual(['temp']);
    expect(store.series(undefined, 0, 3000, 100)).toEqual([{ name: 'temp', times: [1000, 2000], values: [21.4, 21.6], count: 2 }]);
    const latest = store.latest();
    expect(latest.get('temp')).toEqual({ value: 21.6, timeMs: 2000, unit: '°C' });
    expect(latest.get('status')).toEqual({ value: 'warm', timeMs: 2000 });
    expect(latest.get('on')).toEqual({ value: true, timeMs: 1000 });
  });

  it('answers only the names asked for, skipping unknown ones', () => {
    const store = new SeriesStore();
    store.add(record(1, { a: 1, b: 2 }));
    expect(store.series(['b', 'nope'], 0, 10, 10).map((s) => s.name)).toEqual(['b']);
  });

  it('drops points older than the window', () => {
    const store = new SeriesStore({ windowMs: 10_000 });
    for (let t = 0; t <= 30_000; t += 500) store.add(record(t, { v: t }));
    const [v] = store.series(['v'], 0, 40_000, 1000);
    expect(v!.times[0]).toBeGreaterThanOrEqual(30_000 - 10_000 - 1000); // dropped at most a check period late
    expect(v!.times.at(-1)).toBe(30_000);
  });

  it('shares the memory budget across series, never allocating above it', () => {
    const budget = 64 * 1024; // 4,096 points
    const store = new SeriesStore({ budgetBytes: budget });
    for (let t = 0; t < 10_000; t++) store.add(record(t, { a: t }));
    expect(store.bytes).toBeLessThanOrEqual(budget);
    expect(store.series(['a'], 0, 1e9, 1e9)[0]!.count).toBe(4096);
    for (let t = 10_000; t < 20_000; t++) store.add(record(t, { a: t, b: t, c: t, d: t }));
    expect(store.bytes).toBeLessThanOrEqual(budget);
    const counts = store.series(undefined, 0, 1e9, 1e9).map((s) => s.count);
    expect(counts).toEqual([1024, 1024, 1024, 1024]);
    expect(store.series(['a'], 0, 1e9, 1e9)[0]!.times.at(-1)).toBe(19_999);
  });

  it('refuses series past the cap (counted), so odd keys cannot split the budget into nothing', () => {
    const store = new SeriesStore({ maxSeries: 2 });
    store.add(record(1, { a: 1, b: 2, c: 3 }));
    expect(store.names()).toEqual(['a', 'b']);
    expect(store.refusedSeries).toBe(1);
  });

  it('stores NaN and Infinity as gaps', () => {
    const store = new SeriesStore();
    store.add(record(1, { t: Number.POSITIVE_INFINITY }));
    store.add(record(2, { t: 3 }));
    const [t] = store.series(['t'], 0, 10, 100);
    expect(t!.values[0]).toBeNaN();
    expect(t!.values[1]).toBe(3);
  });

  it('the default budget is 8 MiB', () => {
    expect(SERIES_BUDGET_BYTES).toBe(8 * 1024 * 1024);
  });
});
