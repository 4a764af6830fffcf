// The plot's pure parts: its windows, series colours, the server's clock, and the server's decimated
// series joined into aligned columns for uPlot.
import type { SeriesData } from '../../server/wire/api.js';
import type { AlignedColumns } from './bucket-ring.js';

/** The windows the plot offers, from seconds to a day. */
export const PLOT_WINDOWS = [
  { label: '10 s', ms: 10_000 },
  { label: '1 min', ms: 60_000 },
  { label: '10 min', ms: 600_000 },
  { label: '1 h', ms: 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
] as const;

/** The window a new plot starts with, in ms: a minute shows a 1 Hz board's last 60 readings. */
export const DEFAULT_WINDOW_MS = 60_000;

/** How far back the server keeps series, in ms (docs/protocol.md: the last hour); a zoom inside it is refetched in detail. */
export const SERVER_HISTORY_MS = 3_600_000;

/** Fewest and most buckets (≈ CSS px) a plot decimates to: below, a line is too coarse; above, a 4K screen gains nothing. */
export const MIN_BUCKETS = 100;
export const MAX_BUCKETS = 4_000;

/** Buckets for a plot `widthPx` wide: one per pixel, within MIN_BUCKETS..MAX_BUCKETS. */
export function bucketsForWidth(widthPx: number): number {
  return Math.max(MIN_BUCKETS, Math.min(MAX_BUCKETS, Math.round(widthPx)));
}

/** Distinct colours for the first series (readable on dark and light), then golden-angle hues for any number more. */
const PALETTE = ['#6cb6ff', '#f69d50', '#8ddb8c', '#f47067', '#dcbdfb', '#e0c96b', '#56d4dd', '#fc8dc7', '#b4c0cc', '#9ebd5b'];

/** The colour of series number `i` (0-based). */
export function seriesColor(i: number): string {
  return PALETTE[i] ?? `hsl(${Math.round((i * 137.508) % 360)} 70% 62%)`;
}

/**
 * Series from GET series (each sorted by time) joined into aligned columns: every distinct time once,
 * in order, each series' value at its own times and null elsewhere.
 */
export function joinSeries(names: readonly string[], series: readonly SeriesData[]): AlignedColumns {
  const byName = new Map(series.map((s) => [s.name, s]));
  const picked = names.map((n) => byName.get(n));
  const all: number[] = [];
  for (const s of picked) if (s) for (const t of s.times) all.push(t);
  all.sort((a, b) => a - b);
  const times: number[] = [];
  for (const t of all) if (times.length === 0 || times[times.length - 1] !== t) times.push(t);
  const position = new Map(times.map((t, i) => [t, i]));
  const columns = picked.map((s) => {
    const column: Array<number | null> = new Array<number | null>(times.length).fill(null);
    if (s) for (let i = 0; i < s.times.length; i++) column[position.get(s.times[i]!)!] = s.values[i] ?? null;
    return column;
  });
  return { times, columns };
}

/**
 * The server's clock as seen from the page: records carry server arrival times, and the plot's live
 * edge is "now" on that clock, so a page on a machine whose clock is off still follows. Smoothed, so
 * one late record does not jerk the axis.
 */
export class ServerClock {
  private offsetMs: number | null = null;

  /** Notes that the server's time was `serverMs` when the page's was `localMs`. */
  note(serverMs: number, localMs: number): void {
    const sample = serverMs - localMs;
    // Records reach the page after they were stamped: a sample is at most the true offset, so a later
    // (larger) one is trusted at once and a smaller one only slowly.
    if (this.offsetMs === null || sample > this.offsetMs) this.offsetMs = sample;
    else this.offsetMs += (sample - this.offsetMs) * CLOCK_SMOOTHING;
  }

  /** The server's time now, given the page's `localMs`. */
  now(localMs: number): number {
    return localMs + (this.offsetMs ?? 0);
  }
}

/** Weight of a sample below the current offset: about a minute of 1 Hz records to follow a real clock step back. */
const CLOCK_SMOOTHING = 0.05;
