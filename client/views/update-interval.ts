// How often a field usually updates, from its recent arrival times, and whether it has gone quiet.

/** Deltas kept for the estimate: enough for a stable median, few enough to follow a changed interval within seconds. */
const RECENT_DELTAS = 16;
/** A field is stale after this many of its usual intervals without an update ("several"; 3 rides out one lost line and jitter). */
export const STALE_INTERVALS = 3;
/** Never stale sooner than this, in ms: a fast field must not flicker stale when the tab or the network hiccups. */
export const STALE_MIN_MS = 2_000;

/** The usual interval between one field's updates: the median of its recent arrival deltas (robust to a burst or a pause). */
export class IntervalEstimate {
  private readonly deltas: number[] = [];
  private lastMs = Number.NEGATIVE_INFINITY;
  private seededMs: number | null = null;

  /** Notes an update at `timeMs`; a time not after the previous one (a replay, a duplicate) is ignored. */
  note(timeMs: number): void {
    if (!(timeMs > this.lastMs)) return;
    if (Number.isFinite(this.lastMs)) {
      this.deltas.push(timeMs - this.lastMs);
      if (this.deltas.length > RECENT_DELTAS) this.deltas.shift();
    }
    this.lastMs = timeMs;
  }

  /** An estimate to use until two live updates give one (from history: its span over its count). */
  seed(intervalMs: number, lastMs?: number): void {
    if (intervalMs > 0 && Number.isFinite(intervalMs)) this.seededMs = intervalMs;
    if (lastMs !== undefined && lastMs > this.lastMs) this.lastMs = lastMs;
  }

  /** Time of the newest update, ms (−Infinity before any). */
  lastTimeMs(): number {
    return this.lastMs;
  }

  /** The usual interval in ms, or null while unknown. */
  intervalMs(): number | null {
    if (this.deltas.length === 0) return this.seededMs;
    return median(this.deltas);
  }
}

/** The median of `values` (not empty). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * True when a field last updated at `lastMs` has been quiet at `nowMs` for more than STALE_INTERVALS of
 * its usual `intervalMs` (and at least STALE_MIN_MS). Unknown interval or no update yet: not stale.
 */
export function isStale(lastMs: number, intervalMs: number | null, nowMs: number): boolean {
  if (intervalMs === null || !Number.isFinite(lastMs)) return false;
  return nowMs - lastMs > Math.max(STALE_INTERVALS * intervalMs, STALE_MIN_MS);
}

/** The mean interval of `count` points spread over [firstMs, lastMs], or null with fewer than two. */
export function spanInterval(firstMs: number, lastMs: number, count: number): number | null {
  if (count < 2 || !(lastMs > firstMs)) return null;
  return (lastMs - firstMs) / (count - 1);
}
