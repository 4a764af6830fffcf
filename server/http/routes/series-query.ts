// Parses GET /api/ports/:id/series's query: which series, over which time range, in how many
// points; with a reason for anything malformed. Pure, so every rule is unit-tested.
import { MAX_SERIES, SERIES_WINDOW_MS } from '../../lines/series-store.js';

/** Default points per series: 1,000, about a plot's width in pixels (two per pixel bucket for its min and max). */
export const DEFAULT_SERIES_POINTS = 1000;
/** Most points per series accepted: 20,000, a 4K screen's width at two points a pixel, twice over. */
export const MAX_SERIES_POINTS = 20_000;

/** A parsed series request: names (null: all), a range in ms since the epoch, points per series. */
export interface SeriesRequest {
  names: string[] | null;
  fromMs: number;
  toMs: number;
  points: number;
}

/** Parses `params` (`now`: the current time, for the default range, the last SERIES_WINDOW_MS). */
export function parseSeriesQuery(params: URLSearchParams, now: number): SeriesRequest | { error: string } {
  const known = new Set(['names', 'from', 'to', 'points', 'token']);
  for (const key of params.keys()) if (!known.has(key)) return { error: `unknown parameter ${JSON.stringify(key)}` };
  let names: string[] | null = null;
  const namesText = params.get('names');
  if (namesText !== null) {
    names = namesText.split(',');
    if (names.some((name) => name === '')) return { error: 'names must be a comma-separated list of series names, none empty' };
    if (names.length > MAX_SERIES) return { error: `at most ${MAX_SERIES} names` };
  }
  const fromMs = parseTime(params.get('from'), 'from', now - SERIES_WINDOW_MS);
  if (typeof fromMs !== 'number') return fromMs;
  const toMs = parseTime(params.get('to'), 'to', now);
  if (typeof toMs !== 'number') return toMs;
  if (toMs < fromMs) return { error: `to (${new Date(toMs).toISOString()}) is before from (${new Date(fromMs).toISOString()})` };
  const pointsText = params.get('points');
  let points = DEFAULT_SERIES_POINTS;
  if (pointsText !== null) {
    points = /^\d{1,6}$/.test(pointsText) ? Number(pointsText) : NaN;
    if (!(points >= 2 && points <= MAX_SERIES_POINTS)) return { error: `points must be an integer from 2 to ${MAX_SERIES_POINTS}, got ${JSON.stringify(pointsText)}` };
  }
  return { names, fromMs, toMs, points };
}

/** An ISO 8601 time or ms since the epoch; `fallback` when absent. */
function parseTime(text: string | null, name: string, fallback: number): number | { error: string } {
  if (text === null) return fallback;
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? ms : { error: `${name} must be an ISO 8601 time or ms since the epoch, got ${JSON.stringify(text)}` };
}
