// A port's series: every numeric field of its records, kept as (arrival time, value) points over a
// time window within a fixed memory budget, and read back decimated for a plot of a given width.
// Non-numeric fields keep only their latest value (tiles show them as status text).
//
// Budget: the port's rings together allocate at most `budgetBytes` (default 8 MiB = 524,288 points
// of 16 bytes). The budget is shared equally: each series may hold budget / (16 B × series count)
// points, so a new series shrinks the others (newest points kept) instead of growing memory. 8 MiB
// holds seed 000's dashboard (4 fields at 1 Hz) for weeks, 10 fields at 10 Hz for the full hour
// (360,000 points, 5.5 MiB), and a port flat out (2,000 lines/s × 10 fields) for its last ~26 s;
// a Raspberry Pi with 8 ports spends at most 64 MiB on it. The series cap (256) keeps every
// series at 2,048 points or more.
import type { ParsedRecord } from './records/record-types.js';
import { POINT_BYTES, SeriesRing, type SeriesPoints } from './series-ring.js';

/** How far back series reach, in ms: one hour, what a plot opened after a restart shows at once. */
export const SERIES_WINDOW_MS = 60 * 60 * 1000;
/** Memory for one port's series, in bytes: 8 MiB (see above). */
export const SERIES_BUDGET_BYTES = 8 * 1024 * 1024;
/** Most series per port: 256. More distinct numeric fields than this are counted, not stored (a JSON line with a counter in its keys would otherwise split the budget into nothing). */
export const MAX_SERIES = 256;
/** Most fields whose latest value is kept, per port: 1,024, four times the series cap, so string fields (status text) have room too. */
export const MAX_LATEST_FIELDS = 1024;
/** How often points older than the window are dropped, in ms of arrival time: 1 s, so a record costs O(its fields), not O(all series). */
const DROP_CHECK_MS = 1000;

/** Options, for tests and config; defaults above. */
export interface SeriesStoreOptions {
  windowMs?: number;
  budgetBytes?: number;
  maxSeries?: number;
}

/** One series over a requested range: its decimated points and how many raw points the range held. */
export interface SeriesSlice extends SeriesPoints {
  name: string;
  count: number;
}

/** The newest value of a field (numeric or not) and when it arrived. */
export interface LatestValue {
  value: number | string | boolean;
  timeMs: number;
  unit?: string;
}

/** A port's series store. */
export class SeriesStore {
  private readonly windowMs: number;
  private readonly budgetBytes: number;
  private readonly maxSeries: number;
  private readonly rings = new Map<string, SeriesRing>();
  private readonly latestValues = new Map<string, LatestValue>();
  private newestMs = -Infinity;
  private droppedAtMs = -Infinity;
  private refused = 0;

  constructor(options: SeriesStoreOptions = {}) {
    this.windowMs = options.windowMs ?? SERIES_WINDOW_MS;
    this.budgetBytes = options.budgetBytes ?? SERIES_BUDGET_BYTES;
    this.maxSeries = options.maxSeries ?? MAX_SERIES;
  }

  /** Names of the series held, in the order they first appeared. */
  names(): string[] {
    return [...this.rings.keys()];
  }

  /** Bytes the rings allocate (never above the budget). */
  get bytes(): number {
    let total = 0;
    for (const ring of this.rings.values()) total += ring.bytes;
    return total;
  }

  /** Numeric fields not stored because the series cap was reached. */
  get refusedSeries(): number {
    return this.refused;
  }

  /** The newest value of every field seen (numeric or not), with its unit when known. */
  latest(): Map<string, LatestValue> {
    return new Map(this.latestValues);
  }

  /** Adds a record's fields at its arrival time: numbers (NaN/±Infinity stored as NaN, a gap) to series; every field to latest(). */
  add(record: ParsedRecord): void {
    const timeMs = Math.max(record.timeMs, this.newestMs);
    for (const name of Object.keys(record.fields)) {
      const value = record.fields[name]!;
      const latest: LatestValue = { value, timeMs };
      const unit = record.units?.[name];
      if (unit !== undefined) latest.unit = unit;
      else {
        const previous = this.latestValues.get(name)?.unit;
        if (previous !== undefined) latest.unit = previous;
      }
      if (this.latestValues.size < MAX_LATEST_FIELDS || this.latestValues.has(name)) this.latestValues.set(name, latest);
      if (typeof value === 'number') this.ring(name)?.push(timeMs, Number.isFinite(value) ? value : Number.NaN);
    }
    this.newestMs = timeMs;
    if (timeMs - this.droppedAtMs >= DROP_CHECK_MS) {
      this.droppedAtMs = timeMs;
      this.dropBefore(timeMs - this.windowMs);
    }
  }

  /**
   * Series `names` (all when omitted; unknown names are left out) over [fromMs, toMs], each with at
   * most `maxPoints` points (at least 2): all of them if they fit, else each of maxPoints / 2 time
   * buckets' minimum and maximum.
   */
  series(names: readonly string[] | undefined, fromMs: number, toMs: number, maxPoints: number): SeriesSlice[] {
    const wanted = names ?? this.names();
    const limit = Math.max(2, Math.floor(maxPoints));
    const out: SeriesSlice[] = [];
    for (const name of wanted) {
      const ring = this.rings.get(name);
      if (!ring) continue;
      out.push({ name, ...ring.read(fromMs, toMs, limit) });
    }
    return out;
  }

  /** The ring for `name`, made (and the budget re-shared) if new; null past the series cap. */
  private ring(name: string): SeriesRing | null {
    let ring = this.rings.get(name);
    if (ring) return ring;
    if (this.rings.size >= this.maxSeries) {
      this.refused++;
      return null;
    }
    const perSeries = this.pointsPerSeries(this.rings.size + 1);
    for (const other of this.rings.values()) other.setMaxPoints(perSeries);
    ring = new SeriesRing(perSeries);
    this.rings.set(name, ring);
    return ring;
  }

  private pointsPerSeries(seriesCount: number): number {
    return Math.max(1, Math.floor(this.budgetBytes / POINT_BYTES / seriesCount));
  }

  private dropBefore(timeMs: number): void {
    for (const ring of this.rings.values()) ring.dropBefore(timeMs);
  }
}
