// What the tiles show, kept apart from the DOM: per field its current value and unit, its trend as
// min/max buckets over the tile window, its usual update interval, and string fields as status text.
import type { LatestField, RecordData, SeriesData } from '../../server/wire/api.js';
import { BucketRing, type BucketPoint } from './bucket-ring.js';
import { IntervalEstimate, isStale, spanInterval } from './update-interval.js';

/** The tiles' window (min, max and sparkline), in ms: long enough for a trend, short enough that min/max mean "lately". */
export const TILE_WINDOW_MS = 10 * 60_000;
/** Sparkline buckets over the window: about one per 2 px of a tile's sparkline. */
export const TILE_BUCKETS = 120;

/** One tile as the view draws it. */
export interface TileState {
  name: string;
  kind: 'number' | 'text';
  /** The current value: a number, or the text of a string/boolean field. */
  value: number | string | boolean;
  unit?: string;
  timeMs: number;
  /** Min and max over the window (numbers only). */
  min?: number;
  max?: number;
  intervalMs: number | null;
  stale: boolean;
}

interface FieldState {
  value: number | string | boolean;
  timeMs: number;
  unit?: string;
  interval: IntervalEstimate;
}

/** The tiles' data for one port. */
export class TileModel {
  private readonly ring: BucketRing;
  private readonly fields = new Map<string, FieldState>();

  constructor(
    readonly windowMs = TILE_WINDOW_MS,
    buckets = TILE_BUCKETS,
  ) {
    this.ring = BucketRing.forWindow(windowMs, buckets);
  }

  /** Fills from GET latest's fields. */
  addLatest(fields: readonly LatestField[]): void {
    for (const f of fields) this.set(f.name, f.value, f.timeMs, f.unit);
  }

  /** Fills the trend from GET series (decimated); seeds each field's interval from the range's raw count. */
  addSeries(series: readonly SeriesData[]): void {
    for (const s of series) {
      const n = Math.min(s.times.length, s.values.length);
      for (let i = 0; i < n; i++) this.ring.add(s.name, s.times[i]!, s.values[i]!);
      if (n === 0) continue;
      const first = s.times[0]!;
      const last = s.times[n - 1]!;
      const estimate = spanInterval(first, last, s.count);
      const field = this.fields.get(s.name);
      if (estimate !== null) (field?.interval ?? this.field(s.name, s.values[n - 1]!, last).interval).seed(estimate, last);
    }
  }

  /** Applies one live record; returns the names it updated. */
  addRecord(record: RecordData): string[] {
    const names: string[] = [];
    for (const [name, value] of Object.entries(record.fields)) {
      this.set(name, value, record.timeMs, record.units?.[name]);
      names.push(name);
    }
    return names;
  }

  /** Field names: numeric ones first, each group in order of first appearance. */
  names(): string[] {
    const all = [...this.fields.keys()];
    return [...all.filter((n) => typeof this.fields.get(n)!.value === 'number'), ...all.filter((n) => typeof this.fields.get(n)!.value !== 'number')];
  }

  /** What tile `name` shows at `nowMs`, or null for an unknown field. */
  tile(name: string, nowMs: number): TileState | null {
    const f = this.fields.get(name);
    if (!f) return null;
    const intervalMs = f.interval.intervalMs();
    const state: TileState = {
      name,
      kind: typeof f.value === 'number' ? 'number' : 'text',
      value: f.value,
      timeMs: f.timeMs,
      intervalMs,
      stale: isStale(f.interval.lastTimeMs(), intervalMs, nowMs),
    };
    if (f.unit !== undefined) state.unit = f.unit;
    const extent = typeof f.value === 'number' ? this.ring.extent(name) : null;
    if (extent) {
      state.min = extent.min;
      state.max = extent.max;
    }
    return state;
  }

  /** The trend of `name` over the window ending at `nowMs`, for its sparkline. */
  trend(name: string, nowMs: number): BucketPoint[] {
    return this.ring.buckets(name, nowMs - this.windowMs, nowMs);
  }

  private set(name: string, value: number | string | boolean, timeMs: number, unit: string | undefined): void {
    const f = this.field(name, value, timeMs);
    if (timeMs >= f.timeMs) {
      f.value = value;
      f.timeMs = timeMs;
    }
    if (unit !== undefined) f.unit = unit;
    f.interval.note(timeMs);
    if (typeof value === 'number') this.ring.add(name, timeMs, value);
  }

  private field(name: string, value: number | string | boolean, timeMs: number): FieldState {
    let f = this.fields.get(name);
    if (!f) {
      f = { value, timeMs, interval: new IntervalEstimate() };
      this.fields.set(name, f);
    }
    return f;
  }
}
