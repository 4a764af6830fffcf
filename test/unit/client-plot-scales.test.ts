import { describe, expect, it } from 'vitest';
import {
  axisSeries,
  axisTicks,
  DEFAULT_SCALE_MODE,
  labelDigits,
  niceStep,
  loadScaleMode,
  normalizedColumns,
  realValue,
  saveScaleMode,
  SCALE_MODES_STORAGE_KEY,
  seriesRanges,
} from '../../client/views/plot-scales.js';
import type { KeyValueStore } from '../../client/ui/storage.js';

function memoryStore(initial: Record<string, string> = {}): KeyValueStore & { map: Map<string, string> } {
  const map = new Map(Object.entries(initial));
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

describe('plot scales: each series its own range', () => {
  it('gives temp ~21 and pressure ~101325 each a range around their own values, padded beyond the data', () => {
    const [temp, pressure] = seriesRanges({
      times: [1, 2, 3, 4],
      columns: [
        [21.4, null, 21.9, 21.1],
        [101_325, 101_330, null, 101_310],
      ],
    });
    expect(temp!.min).toBeLessThan(21.1);
    expect(temp!.max).toBeGreaterThan(21.9);
    expect(temp!.max - temp!.min).toBeLessThan(5);
    expect(pressure!.min).toBeLessThan(101_310);
    expect(pressure!.max).toBeGreaterThan(101_330);
    expect(pressure!.min).toBeGreaterThan(101_000);
  });

  it('ranges each series over the visible times only (a zoom into a quiet stretch fills the height)', () => {
    const data = { times: [1000, 2000, 3000, 4000], columns: [[0, 50, 51, 100]] };
    const [zoomed] = seriesRanges(data, 1500, 3500);
    expect(zoomed!.min).toBeGreaterThan(40);
    expect(zoomed!.max).toBeLessThan(60);
    const [all] = seriesRanges(data);
    expect(all!.min).toBeLessThanOrEqual(0);
    expect(all!.max).toBeGreaterThanOrEqual(100);
    expect(seriesRanges(data, 5000, 6000)).toEqual([{ min: 0, max: 1 }]);
  });

  it('gives a flat series a span around its value, and an empty one 0..1', () => {
    const [flat, empty, nonFinite] = seriesRanges({ times: [1, 2, 3], columns: [[40, 40, 40], [null, null, null], [Number.NaN, null, null]] });
    expect(flat!.min).toBeLessThan(40);
    expect(flat!.max).toBeGreaterThan(40);
    expect(empty).toEqual({ min: 0, max: 1 });
    expect(nonFinite).toEqual({ min: 0, max: 1 });
  });

  it('maps each column into 0..1 of its range, keeps nulls and the times, and maps back to the real value', () => {
    const data = { times: [1, 2, 3], columns: [[10, null, 20], [0, 5, 10]] };
    const ranges = [{ min: 10, max: 20 }, { min: 0, max: 20 }];
    const drawn = normalizedColumns(data, ranges);
    expect(drawn.times).toBe(data.times);
    expect(drawn.columns).toEqual([[0, null, 1], [0, 0.25, 0.5]]);
    expect(data.columns[0]).toEqual([10, null, 20]); // the real values (CSV export) are untouched
    expect(realValue(0.25, ranges[1]!)).toBe(5);
    // Every drawn value of a computed range lies inside the plot's 0..1.
    const real = { times: [1, 2, 3], columns: [[21.4, 21.9, 21.1], [101_325, 101_330, 101_310]] };
    for (const column of normalizedColumns(real, seriesRanges(real)).columns)
      for (const v of column) expect(v! > 0 && v! < 1).toBe(true);
  });

  it('labels the axis with the hovered series when shown, else the first shown one', () => {
    expect(axisSeries([true, true, true], null)).toBe(0);
    expect(axisSeries([false, true, true], null)).toBe(1);
    expect(axisSeries([true, true, true], 2)).toBe(2);
    expect(axisSeries([true, true, false], 2)).toBe(0);
    expect(axisSeries([false, false], null)).toBe(-1);
  });

  it('writes labels with the fraction digits their step needs, none for whole steps', () => {
    expect(labelDigits(10)).toBe(0);
    expect(labelDigits(1)).toBe(0);
    expect(labelDigits(0.1)).toBe(1);
    expect(labelDigits(0.2)).toBe(1);
    expect(labelDigits(0.05)).toBe(2);
    expect(labelDigits(0.25)).toBe(2);
    expect(labelDigits(2.5)).toBe(1);
    expect(labelDigits(0.1 + 0.2)).toBe(1);
    expect(labelDigits(0)).toBe(0);
    expect(labelDigits(Number.NaN)).toBe(0);
  });

  it('rounds a tick spacing up to 1, 2 or 5 × 10^k', () => {
    expect(niceStep(0.012)).toBe(0.02);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(200)).toBe(200);
    expect(niceStep(0.1 + 0.2)).toBeCloseTo(0.5);
    expect(niceStep(0)).toBe(1);
  });

  it('puts ticks on whole multiples of the step inside the range, without float noise', () => {
    expect(axisTicks(21.39, 21.51, 0.02)).toEqual([21.4, 21.42, 21.44, 21.46, 21.48, 21.5]);
    expect(axisTicks(101_320.8, 101_323.2, 0.5)).toEqual([101_321, 101_321.5, 101_322, 101_322.5, 101_323]);
    expect(axisTicks(-0.3, 0.3, 0.1)).toEqual([-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
    expect(axisTicks(0, 1, 0.25)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(axisTicks(0, 120_000, 10_000)).toHaveLength(13);
    expect(axisTicks(1, 0, 1)).toEqual([]);
    expect(axisTicks(0, 1, 0)).toEqual([]);
  });
});

describe('plot scales: the mode remembered per port', () => {
  it('defaults to the shared axis, and remembers each port on its own', () => {
    const store = memoryStore();
    expect(loadScaleMode(store, 'a')).toBe(DEFAULT_SCALE_MODE);
    expect(DEFAULT_SCALE_MODE).toBe('shared');
    saveScaleMode(store, 'a', 'each');
    saveScaleMode(store, 'b', 'shared');
    expect(loadScaleMode(store, 'a')).toBe('each');
    expect(loadScaleMode(store, 'b')).toBe('shared');
    expect(loadScaleMode(store, 'c')).toBe('shared');
  });

  it('falls back to the default on unreadable or invalid stored data, and then writes valid data', () => {
    for (const bad of ['not json', '[1]', 'null', '{"a":"sideways"}']) {
      const store = memoryStore({ [SCALE_MODES_STORAGE_KEY]: bad });
      expect(loadScaleMode(store, 'a')).toBe('shared');
      saveScaleMode(store, 'b', 'each');
      expect(loadScaleMode(store, 'b')).toBe('each');
    }
  });

  it('keeps at most 100 ports, dropping the longest unchanged first', () => {
    const store = memoryStore();
    for (let i = 0; i < 105; i++) saveScaleMode(store, `p${i}`, 'each');
    saveScaleMode(store, 'p2', 'each'); // chosen again: kept
    const kept = Object.keys(JSON.parse(store.map.get(SCALE_MODES_STORAGE_KEY)!) as object);
    expect(kept).toHaveLength(100);
    expect(kept).not.toContain('p0');
    expect(kept).toContain('p2');
    expect(kept).toContain('p104');
  });
});
