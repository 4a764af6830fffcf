// The query of GET /api/ports/:id/series as a schema (it validates the query and is printed in the
// OpenAPI document): which series, over which time range, in how many points; then the rules a
// schema cannot say (a time that parses, a range in order). Pure.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_SERIES, SERIES_WINDOW_MS } from '../../lines/series-store.js';
import { parseTime, timeText } from '../schema-helpers.js';

/** Default points per series: 1,000, about a plot's width in pixels (two per pixel bucket for its min and max). */
export const DEFAULT_SERIES_POINTS = 1000;
/** Most points per series accepted: 20,000, a 4K screen's width at two points a pixel, twice over. */
export const MAX_SERIES_POINTS = 20_000;
/** Fewest points per series accepted: one bucket's minimum and maximum. */
export const MIN_SERIES_POINTS = 2;

/** The query of GET /series. */
export const SeriesQuerySchema = Type.Object(
  {
    names: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        maxItems: MAX_SERIES,
        title: `a comma-separated list of at most ${MAX_SERIES} series names, none empty`,
        description: 'The series wanted (default all; unknown names are left out).',
      }),
    ),
    from: Type.Optional(timeText({ description: `Start of the range (default: ${SERIES_WINDOW_MS / 60_000} minutes before now).` })),
    to: Type.Optional(timeText({ description: 'End of the range (default: now).' })),
    points: Type.Optional(
      Type.Integer({ minimum: MIN_SERIES_POINTS, maximum: MAX_SERIES_POINTS, default: DEFAULT_SERIES_POINTS, description: 'Most points per series: each of points / 2 time buckets keeps its minimum and maximum.' }),
    ),
  },
  { additionalProperties: false },
);

/** A query that passed SeriesQuerySchema. */
export type SeriesQuery = Static<typeof SeriesQuerySchema>;

/** A parsed series request: names (null: all), a range in ms since the epoch, points per series. */
export interface SeriesRequest {
  names: string[] | null;
  fromMs: number;
  toMs: number;
  points: number;
}

/** Resolves a checked query (`now`: the current time, for the default range, the last SERIES_WINDOW_MS). */
export function toSeriesRequest(query: SeriesQuery, now: number): SeriesRequest | { error: string } {
  const fromMs = query.from === undefined ? now - SERIES_WINDOW_MS : parseTime(query.from);
  const toMs = query.to === undefined ? now : parseTime(query.to);
  for (const [name, ms] of [['from', fromMs], ['to', toMs]] as const)
    if (!Number.isFinite(ms)) return { error: `${name} must be ${timeText().title}, got ${JSON.stringify(query[name])}` };
  if (toMs < fromMs) return { error: `to (${new Date(toMs).toISOString()}) is before from (${new Date(fromMs).toISOString()})` };
  return { names: query.names ?? null, fromMs, toMs, points: query.points ?? DEFAULT_SERIES_POINTS };
}
