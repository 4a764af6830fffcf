// One numeric series: (time, value) points in two Float64Array rings, oldest dropped when full,
// and a min/max decimated read of a time range (two points per pixel bucket: its minimum and its
// maximum, in time order, as Teleplot and uPlot-based plotters draw a dense series).

/** Bytes per stored point: a float64 time and a float64 value. */
export const POINT_BYTES = 16;
/** First allocation of a ring, in points: 256 (4 KiB), so a port with many rarely-updated fields stays small. */
const INITIAL_POINTS = 256;

/** Points of a series over a range: parallel arrays of times (ms since the epoch) and values, in time order. */
export interface SeriesPoints {
  times: number[];
  values: number[];
}

/** A bounded, time-ordered ring of one series' points. */
export class SeriesRing {
  private times: Float64Array;
  private values: Float64Array;
  private head = 0;
  private count = 0;

  /** `maxPoints`: the most points held; it can be changed later with setMaxPoints(). */
  constructor(private maxPoints: number) {
    const initial = Math.max(1, Math.min(INITIAL_POINTS, maxPoints));
    this.times = new Float64Array(initial);
    this.values = new Float64Array(initial);
  }

  /** Points held. */
  get length(): number {
    return this.count;
  }

  /** Bytes allocated (what the budget counts). */
  get bytes(): number {
    return this.times.length * POINT_BYTES;
  }

  /** Time of the oldest point held, or null. */
  get firstTimeMs(): number | null {
    return this.count === 0 ? null : this.times[this.head]!;
  }

  /** Time of the newest point held, or null. */
  get lastTimeMs(): number | null {
    return this.count === 0 ? null : this.timeAt(this.count - 1);
  }

  /** The newest value, or null. */
  get lastValue(): number | null {
    return this.count === 0 ? null : this.valueAt(this.count - 1);
  }

  /** Appends a point; a time earlier than the newest is raised to it (times never go backwards); when full, the oldest point goes. */
  push(timeMs: number, value: number): void {
    const last = this.lastTimeMs;
    const t = last !== null && timeMs < last ? last : timeMs;
    if (this.count === this.times.length) {
      if (this.count < this.maxPoints) this.resize(Math.min(this.maxPoints, this.times.length * 2));
      else {
        this.head = (this.head + 1) % this.times.length;
        this.count--;
      }
    }
    const at = (this.head + this.count) % this.times.length;
    this.times[at] = t;
    this.values[at] = value;
    this.count++;
  }

  /** Drops points older than `timeMs`. */
  dropBefore(timeMs: number): void {
    while (this.count > 0 && this.times[this.head]! < timeMs) {
      this.head = (this.head + 1) % this.times.length;
      this.count--;
    }
  }

  /** Changes the cap; a ring above it keeps its newest `maxPoints` and shrinks its allocation. */
  setMaxPoints(maxPoints: number): void {
    this.maxPoints = Math.max(1, maxPoints);
    if (this.times.length > this.maxPoints) {
      const drop = Math.max(0, this.count - this.maxPoints);
      this.head = (this.head + drop) % this.times.length;
      this.count -= drop;
      this.resize(this.maxPoints);
    }
  }

  /**
   * Points with fromMs <= time <= toMs. If there are more than `maxPoints`, the range is cut into
   * floor(maxPoints / 2) equal time buckets and each bucket gives its minimum and its maximum (one
   * point if they are the same point), in time order: at most maxPoints points, every extreme kept.
   * NaN values (a failed reading) are skipped by decimation.
   */
  read(fromMs: number, toMs: number, maxPoints: number): SeriesPoints & { count: number } {
    const lo = this.lowerBound(fromMs);
    const hi = this.upperBound(toMs);
    const count = Math.max(0, hi - lo);
    const times: number[] = [];
    const values: number[] = [];
    if (count <= maxPoints) {
      for (let i = lo; i < hi; i++) {
        times.push(this.timeAt(i));
        values.push(this.valueAt(i));
      }
      return { times, values, count };
    }
    const buckets = Math.max(1, Math.floor(maxPoints / 2));
    const span = Math.max(toMs - fromMs, Number.MIN_VALUE);
    // A point at time t is in bucket floor((t - fromMs) × buckets / span); toMs falls in the last one.
    const bucketOf = (t: number) => Math.min(buckets - 1, Math.floor(((t - fromMs) * buckets) / span));
    let bucket = -1;
    let minAt = -1;
    let maxAt = -1;
    const flush = () => {
      if (minAt < 0) return;
      const first = Math.min(minAt, maxAt);
      const second = Math.max(minAt, maxAt);
      times.push(this.timeAt(first));
      values.push(this.valueAt(first));
      if (second !== first) {
        times.push(this.timeAt(second));
        values.push(this.valueAt(second));
      }
    };
    for (let i = lo; i < hi; i++) {
      const b = bucketOf(this.timeAt(i));
      if (b !== bucket) {
        flush();
        bucket = b;
        minAt = -1;
        maxAt = -1;
      }
      const v = this.valueAt(i);
      if (Number.isNaN(v)) continue;
      if (minAt < 0 || v < this.valueAt(minAt)) minAt = i;
      if (maxAt < 0 || v > this.valueAt(maxAt)) maxAt = i;
    }
    flush();
    return { times, values, count };
  }

  private timeAt(i: number): number {
    return this.times[(this.head + i) % this.times.length]!;
  }

  private valueAt(i: number): number {
    return this.values[(this.head + i) % this.values.length]!;
  }

  /** First index whose time is >= timeMs. */
  private lowerBound(timeMs: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose time is > timeMs. */
  private upperBound(timeMs: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) <= timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private resize(capacity: number): void {
    const times = new Float64Array(capacity);
    const values = new Float64Array(capacity);
    for (let i = 0; i < this.count; i++) {
      times[i] = this.timeAt(i);
      values[i] = this.valueAt(i);
    }
    this.times = times;
    this.values = values;
    this.head = 0;
  }
}
