// How the plot's y axis ranges its series. `shared`: one axis for all (uPlot's own auto range), so
// temp 21 and pressure 101325 on it leave temp a flat line at the bottom, as in the Arduino IDE
// plotter. `each`: every series is auto-ranged over the data shown and drawn over the plot's full
// height (Serial Studio's and Teleplot's answer); the axis labels one chosen series' values and the
// legend and cursor show every series' real value. Pure, for unit tests; the plot view draws.
import uPlot from 'uplot';
import type { AlignedColumns } from './bucket-ring.js';
import type { KeyValueStore } from '../ui/storage.js';

/** The plot's y scaling: one shared axis, or each series its own range. */
export type ScaleMode = 'shared' | 'each';

/** Every ScaleMode with its label, in the control's order. */
export const SCALE_MODES: readonly { mode: ScaleMode; label: string }[] = [
  { mode: 'shared', label: 'Shared axis' },
  { mode: 'each', label: 'Each its own range' },
];

/** The mode of a port never set: what the plot always did. */
export const DEFAULT_SCALE_MODE: ScaleMode = 'shared';

/** Storage key of the modes by port id (JSON object). */
export const SCALE_MODES_STORAGE_KEY = 'serialdeck.plot-scales';

/** Ports remembered at most: a bench with many boards over months should not grow storage forever. */
const MAX_REMEMBERED_PORTS = 100;

/**
 * Padding of a series' own range beyond its data, as a fraction of the span (uPlot's own auto range
 * uses 0.1): the line does not touch the plot's top and bottom edges.
 */
const RANGE_PAD_FRACTION = 0.1;

/** True when `value` is a scale mode. */
export function isScaleMode(value: unknown): value is ScaleMode {
  return value === 'shared' || value === 'each';
}

/** The mode remembered for `portId` in `store`, or the default. Never throws on bad stored data. */
export function loadScaleMode(store: KeyValueStore, portId: string): ScaleMode {
  const mode = readModes(store)[portId];
  return isScaleMode(mode) ? mode : DEFAULT_SCALE_MODE;
}

/** Remembers `mode` for `portId` in `store` (other ports' modes kept; the oldest dropped past the limit). */
export function saveScaleMode(store: KeyValueStore, portId: string, mode: ScaleMode): void {
  const modes = readModes(store);
  delete modes[portId]; // re-inserted last: the newest choice is kept longest
  modes[portId] = mode;
  const ids = Object.keys(modes);
  for (const id of ids.slice(0, Math.max(0, ids.length - MAX_REMEMBERED_PORTS))) delete modes[id];
  store.setItem(SCALE_MODES_STORAGE_KEY, JSON.stringify(modes));
}

function readModes(store: KeyValueStore): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(store.getItem(SCALE_MODES_STORAGE_KEY) ?? '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ...(value as Record<string, unknown>) };
  } catch {
    // Unreadable: every port starts from the default again.
  }
  return {};
}

/** A series' own y range: its real values `min`..`max` fill the plot's 0..1. */
export interface SeriesRange {
  min: number;
  max: number;
}

/**
 * Each column's own range over its values at `times` within `fromMs`..`toMs` (the visible part; nulls
 * and non-finite values skipped), padded and rounded as uPlot's auto range is; a column with no value
 * there gets 0..1. A flat column still gets a span.
 */
export function seriesRanges(data: AlignedColumns, fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): SeriesRange[] {
  const { times } = data;
  // Times are ascending: the visible rows are one run of indexes.
  let first = 0;
  while (first < times.length && !(times[first]! >= fromMs)) first++;
  let end = first;
  while (end < times.length && times[end]! <= toMs) end++;
  return data.columns.map((column) => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = first; i < end; i++) {
      const v = column[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo > hi) return { min: 0, max: 1 };
    const [min, max] = uPlot.rangeNum(lo, hi, RANGE_PAD_FRACTION, true);
    return min !== null && max !== null && max > min ? { min, max } : { min: lo - 1, max: hi + 1 };
  });
}

/** The shared axis' range for data `min`..`max` (null: no data): uPlot's own auto range, padded as each series' own is. */
export function sharedRange(min: number | null, max: number | null): [number | null, number | null] {
  return min === null || max === null ? [null, null] : uPlot.rangeNum(min, max, RANGE_PAD_FRACTION, true);
}

/** `data`'s columns mapped into 0..1 by `ranges` (same order), nulls kept: what the plot draws in `each` mode. */
export function normalizedColumns(data: AlignedColumns, ranges: readonly SeriesRange[]): AlignedColumns {
  const columns = data.columns.map((column, i) => {
    const range = ranges[i] ?? { min: 0, max: 1 };
    const span = range.max - range.min;
    const out = new Array<number | null>(column.length);
    for (let j = 0; j < column.length; j++) {
      const v = column[j];
      out[j] = v === null || v === undefined ? null : (v - range.min) / span;
    }
    return out;
  });
  return { times: data.times, columns };
}

/** A 0..1 position on the axis as a real value of `range`. */
export function realValue(position: number, range: SeriesRange): number {
  return range.min + position * (range.max - range.min);
}

/**
 * The series whose values the axis shows: `preferred` (hovered in the legend) when it is shown,
 * else the first shown series; -1 when none shows. Indexes are 0-based series numbers.
 */
export function axisSeries(shown: readonly boolean[], preferred: number | null): number {
  if (preferred !== null && shown[preferred]) return preferred;
  return shown.indexOf(true);
}

/** Fraction digits that write multiples of `step` exactly (0.25 → 2, 0.1 → 1, 10 → 0), at most 12. */
export function labelDigits(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  for (let digits = 0; digits < MAX_LABEL_DIGITS; digits++) {
    const scaled = step * 10 ** digits;
    // Float noise aside (0.1 × 10 = 1.0000000000000002), the step is whole at this many digits.
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, scaled)) return digits;
  }
  return MAX_LABEL_DIGITS;
}

/** Most fraction digits on a label: beyond this a double's own noise shows. */
const MAX_LABEL_DIGITS = 12;

/** The smallest step of 1, 2 or 5 × 10^k that is at least `rough` (a tick spacing people read easily); 1 for nonsense. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const m = rough / power;
  // The small tolerance keeps 2.0000000001 (float noise) at 2 rather than 5.
  const mantissa = m <= 1 + 1e-9 ? 1 : m <= 2 + 1e-9 ? 2 : m <= 5 + 1e-9 ? 5 : 10;
  return mantissa * power;
}

/** The multiples of `step` within `min`..`max`, ascending, free of float noise (0.30000000000000004 → 0.3). */
export function axisTicks(min: number, max: number, step: number): number[] {
  if (!(step > 0) || !(max >= min) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  const digits = labelDigits(step);
  const ticks: number[] = [];
  // Counted in whole steps, not summed: no drift across many ticks.
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9 && ticks.length < MAX_TICKS; k++) {
    const v = Number((k * step).toFixed(digits));
    ticks.push(Object.is(v, -0) ? 0 : v);
  }
  return ticks;
}

/** Most ticks an axis gets: a guard against a degenerate step, far above what fits on a screen. */
const MAX_TICKS = 1_000;
