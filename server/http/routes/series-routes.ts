// The port's data for plots and tiles: its series over a time range, min/max decimated to a given
// number of points, and the newest value of every field with the line reader's counts.
import type { Context } from 'koa';
import type { ServedPort } from '../../ports/served-port.js';
import type { LatestResponse, LatestField, SeriesResponse } from '../../wire/api.js';
import { sendError, type ApiDeps } from '../api-router.js';
import { parseSeriesQuery } from './series-query.js';

/** GET /api/ports/:id/series?names=a,b&from=&to=&points=: 400 with a reason for a malformed query. */
export async function seriesRoute(ctx: Context, _deps: ApiDeps, port: ServedPort | null): Promise<void> {
  if (!port) return;
  const request = parseSeriesQuery(ctx.URL.searchParams, Date.now());
  if ('error' in request) return sendError(ctx, 400, request.error);
  await port.linesReady(); // the first ask reads the last hour from the capture
  const store = port.lines().series;
  const body: SeriesResponse = {
    names: store.names(),
    from: request.fromMs,
    to: request.toMs,
    series: store.series(request.names ?? undefined, request.fromMs, request.toMs, request.points),
  };
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}

/** GET /api/ports/:id/latest: every field's newest value (with its time and unit), and the counts of lines, records and text by format. */
export async function latestRoute(ctx: Context, _deps: ApiDeps, port: ServedPort | null): Promise<void> {
  if (!port) return;
  if ([...ctx.URL.searchParams.keys()].some((key) => key !== 'token')) return sendError(ctx, 400, 'latest takes no parameters');
  await port.linesReady();
  const lines = port.lines();
  const fields: LatestField[] = [];
  for (const [name, latest] of lines.series.latest()) fields.push({ name, ...latest });
  const body: LatestResponse = { fields, stats: lines.stats };
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}
