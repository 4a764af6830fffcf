// A window of series as min/max per time bucket: the plot's and the tiles' memory. Each series keeps
// one slot per bucket of the window (its minimum and maximum, with their times), so memory is fixed by
// the window and the bucket count, never by the sample rate: a million points cost what a thousand do.
// Written by hand because uPlot draws what it is given and has no decimating store (Teleplot does the same).

/** One bucket of one series: its extremes, in the order they arrived. */
export interface BucketPoint {
  /** Bucket index: the bucket covers [index × bucketMs, (index + 1) × bucketMs). */
  index: number;
  min: number;
  max: number;
  minTimeMs: number;
  maxTimeMs: number;
}

/** Aligned columns, as uPlot takes them: shared times, then one column per series (null: no point there). */
export interface AlignedColumns {
  times: number[];
  columns: Array<Array<number | null>>;
}

interface SeriesSlots {
  /** Bucket index held in each slot (NaN: empty); a slot holds bucket k when index[k mod capacity] === k. */
  index: Float64Array;
  min: Float64Array;
  max: Float64Array;
  minT: Float64Array;
  maxT: Float64Array;
  /** Time of the newest point added, ms (for staleness and ordering). */
  lastTimeMs: number;
  lastValue: number;
}

/**
 * Series over a sliding window of `capacity` buckets of `bucketMs` each. The window ends at the newest
 * bucket any series has reached; points older than its first bucket are dropped.
 */
export class BucketRing {
  private readonly slots = new Map<string, SeriesSlots>();
  private newest = Number.NEGATIVE_INFINITY;

  constructor(
    readonly bucketMs: number,
    readonly capacity: number,
  ) {
    if (!(bucketMs > 0) || !Number.isInteger(capacity) || capacity < 2) {
      throw new Error(`BucketRing wants bucketMs > 0 and an integer capacity >= 2 (got ${bucketMs}, ${capacity})`);
    }
  }

  /** A ring covering `windowMs` in `buckets` buckets (plus one, so the partly filled newest bucket does not push out a whole one). */
  static forWindow(windowMs: number, buckets: number): BucketRing {
    const count = Math.max(2, Math.round(buckets));
    return new BucketRing(windowMs / count, count + 1);
  }

  /** Series names in the order they first appeared. */
  names(): string[] {
    return [...this.slots.keys()];
  }

  has(name: string): boolean {
    return this.slots.has(name);
  }

  /** Index of the newest bucket (−Infinity while empty). */
  newestIndex(): number {
    return this.newest;
  }

  /** Start of the oldest bucket the window holds, ms (−Infinity while empty). */
  startMs(): number {
    return (this.newest - this.capacity + 1) * this.bucketMs;
  }

  /** Adds one point; false when it is not a finite number or is older than the window. */
  add(name: string, timeMs: number, value: number): boolean {
    if (!Number.isFinite(value) || !Number.isFinite(timeMs)) return false;
    const k = Math.floor(timeMs / this.bucketMs);
    if (k <= this.newest - this.capacity) return false;
    if (k > this.newest) this.newest = k;
    let s = this.slots.get(name);
    if (!s) {
      s = {
        index: new Float64Array(this.capacity).fill(Number.NaN),
        min: new Float64Array(this.capacity),
        max: new Float64Array(this.capacity),
        minT: new Float64Array(this.capacity),
        maxT: new Float64Array(this.capacity),
        lastTimeMs: Number.NEGATIVE_INFINITY,
        lastValue: Number.NaN,
      };
      this.slots.set(name, s);
    }
    const slot = k % this.capacity;
    if (s.index[slot] !== k) {
      s.index[slot] = k;
      s.min[slot] = s.max[slot] = value;
      s.minT[slot] = s.maxT[slot] = timeMs;
    } else {
      if (value < s.min[slot]!) {
        s.min[slot] = value;
        s.minT[slot] = timeMs;
      }
      if (value > s.max[slot]!) {
        s.max[slot] = value;
        s.maxT[slot] = timeMs;
      }
    }
    if (timeMs >= s.lastTimeMs) {
      s.lastTimeMs = timeMs;
      s.lastValue = value;
    }
    return true;
  }

  /** The buckets of `name` that lie in the window and overlap [fromMs, toMs], oldest first. */
  buckets(name: string, fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): BucketPoint[] {
    const s = this.slots.get(name);
    if (!s) return [];
    const out: BucketPoint[] = [];
    const first = Math.max(this.newest - this.capacity + 1, Math.floor(fromMs / this.bucketMs));
    const last = Math.min(this.newest, Math.floor(toMs / this.bucketMs));
    for (let k = first; k <= last; k++) {
      const slot = k % this.capacity;
      if (s.index[slot] !== k) continue;
      out.push({ index: k, min: s.min[slot]!, max: s.max[slot]!, minTimeMs: s.minT[slot]!, maxTimeMs: s.maxT[slot]! });
    }
    return out;
  }

  /** Smallest and largest value of `name` in the window, or null when it has none there. */
  extent(name: string): { min: number; max: number } | null {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const b of this.buckets(name)) {
      if (b.min < min) min = b.min;
      if (b.max > max) max = b.max;
    }
    return min <= max ? { min, max } : null;
  }

  /** The newest point of `name` (by time), or null. */
  last(name: string): { timeMs: number; value: number } | null {
    const s = this.slots.get(name);
    return s && Number.isFinite(s.lastTimeMs) ? { timeMs: s.lastTimeMs, value: s.lastValue } : null;
  }

  /**
   * `names` as aligned columns over [fromMs, toMs]: two rows per bucket (at its start and its middle),
   * holding each series' extremes in the order they came, so a line drawn through them shows every
   * spike (min/max decimation per bucket). A bucket with one point leaves the second row null.
   */
  aligned(names: readonly string[], fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): AlignedColumns {
    const times: number[] = [];
    const columns: Array<Array<number | null>> = names.map(() => []);
    if (this.newest === Number.NEGATIVE_INFINITY) return { times, columns };
    const first = Math.max(this.newest - this.capacity + 1, Math.floor(fromMs / this.bucketMs));
    const last = Math.min(this.newest, Math.floor(toMs / this.bucketMs));
    const series = names.map((n) => this.slots.get(n));
    for (let k = first; k <= last; k++) {
      const slot = k % this.capacity;
      let any = false;
      for (const s of series) if (s && s.index[slot] === k) any = true;
      if (!any) continue;
      times.push(k * this.bucketMs, (k + 0.5) * this.bucketMs);
      for (let i = 0; i < series.length; i++) {
        const s = series[i];
        const column = columns[i]!;
        if (!s || s.index[slot] !== k) {
          column.push(null, null);
          continue;
        }
        const lo = s.min[slot]!;
        const hi = s.max[slot]!;
        const single = lo === hi && s.minT[slot] === s.maxT[slot];
        if (single) column.push(lo, null);
        else if (s.minT[slot]! <= s.maxT[slot]!) column.push(lo, hi);
        else column.push(hi, lo);
      }
    }
    return { times, columns };
  }
}
