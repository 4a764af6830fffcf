import { describe, expect, it } from 'vitest';
import { IntervalEstimate, isStale, median, spanInterval, STALE_INTERVALS, STALE_MIN_MS } from '../../client/views/update-interval.js';

describe('update interval estimate', () => {
  it('is the median of recent deltas, so one pause or burst does not move it', () => {
    const estimate = new IntervalEstimate();
    expect(estimate.intervalMs()).toBeNull();
    for (const t of [0, 1000, 2000, 3000, 9000, 10_000, 10_050, 11_050]) estimate.note(t);
    expect(estimate.intervalMs()).toBe(1000);
  });

  it('ignores duplicate and out-of-order times (a replayed record)', () => {
    const estimate = new IntervalEstimate();
    for (const t of [0, 500, 500, 400, 1000]) estimate.note(t);
    expect(estimate.intervalMs()).toBe(500);
    expect(estimate.lastTimeMs()).toBe(1000);
  });

  it('follows a changed interval within its window of recent deltas', () => {
    const estimate = new IntervalEstimate();
    let t = 0;
    for (let i = 0; i < 20; i++) estimate.note((t += 1000));
    for (let i = 0; i < 16; i++) estimate.note((t += 250));
    expect(estimate.intervalMs()).toBe(250);
  });

  it('uses a seed from history until live updates give deltas', () => {
    const estimate = new IntervalEstimate();
    estimate.seed(spanInterval(0, 59_000, 60)!, 59_000);
    expect(estimate.intervalMs()).toBe(1000);
    expect(estimate.lastTimeMs()).toBe(59_000);
    estimate.note(59_500);
    expect(estimate.intervalMs()).toBe(500);
    expect(spanInterval(0, 10, 1)).toBeNull();
    expect(spanInterval(10, 10, 5)).toBeNull();
  });

  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('stale detection', () => {
  it(`marks a field stale after ${STALE_INTERVALS} usual intervals without an update`, () => {
    expect(isStale(0, 1000, STALE_INTERVALS * 1000)).toBe(false);
    expect(isStale(0, 1000, STALE_INTERVALS * 1000 + 1)).toBe(true);
  });

  it(`is never stale within ${STALE_MIN_MS} ms, however fast the field`, () => {
    expect(isStale(0, 10, STALE_MIN_MS)).toBe(false);
    expect(isStale(0, 10, STALE_MIN_MS + 1)).toBe(true);
  });

  it('is not stale while the interval is unknown or nothing came yet', () => {
    expect(isStale(0, null, 1e9)).toBe(false);
    expect(isStale(Number.NEGATIVE_INFINITY, 1000, 1e9)).toBe(false);
  });
});
