// A tile's sparkline as an SVG path: small enough to draw by hand (a library would be more code than this).
import type { BucketPoint } from './bucket-ring.js';

/**
 * The `d` of an SVG path through `buckets` (each bucket's extremes in arrival order) scaled into a
 * `width`×`height` box over [fromMs, toMs] in time and the buckets' own range in value (a flat series
 * is drawn across the middle). '' when there is nothing to draw. Coordinates are rounded to 0.1 px.
 */
export function sparklinePath(buckets: readonly BucketPoint[], fromMs: number, toMs: number, width: number, height: number): string {
  if (buckets.length === 0 || !(toMs > fromMs)) return '';
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const b of buckets) {
    lo = Math.min(lo, b.min);
    hi = Math.max(hi, b.max);
  }
  const pad = 1; // keeps the stroke inside the box
  const x = (t: number): number => round1(((t - fromMs) / (toMs - fromMs)) * width);
  const y = (v: number): number => (hi === lo ? round1(height / 2) : round1(pad + (1 - (v - lo) / (hi - lo)) * (height - 2 * pad)));
  const parts: string[] = [];
  for (const b of buckets) {
    const points =
      b.minTimeMs === b.maxTimeMs
        ? [[b.minTimeMs, b.min]]
        : b.minTimeMs < b.maxTimeMs
          ? [[b.minTimeMs, b.min], [b.maxTimeMs, b.max]]
          : [[b.maxTimeMs, b.max], [b.minTimeMs, b.min]];
    for (const [t, v] of points) parts.push(`${parts.length === 0 ? 'M' : 'L'}${x(t!)} ${y(v!)}`);
  }
  if (parts.length === 1) parts.push(`L${width} ${y(buckets[0]!.min)}`); // one point: a level line to the right edge
  return parts.join(' ');
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
