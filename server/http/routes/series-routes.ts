// The port's data for plots and tiles: its series over a time range, min/max decimated to a given
// number of points, and the newest value of every field with the line reader's counts.
import { Type } from '@sinclair/typebox';
import type { LatestResponse, LatestField, SeriesResponse } from '../../wire/api.js';
import { API_SCHEMAS } from '../api-schemas.js';
import { defineRoute } from '../route-spec.js';
import { sendError } from '../send-error.js';
import { SeriesQuerySchema, toSeriesRequest } from './series-query.js';

/** GET /api/ports/:id/series?names=a,b&from=&to=&points=: 400 with a reason for a malformed query. */
export const seriesRoute = defineRoute({
  method: 'GET',
  path: '/api/ports/:id/series',
  summary: "The port's numeric fields over a time range, min/max decimated",
  query: SeriesQuerySchema,
  responses: { 200: { description: 'Every series name, and the series asked for.', schema: API_SCHEMAS.SeriesResponse } },
  async handler(ctx, _deps, port, { query }) {
    if (!port) return;
    const request = toSeriesRequest(query, Date.now());
    if ('error' in request) return sendError(ctx, 400, request.error, { code: 'bad-request' });
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
  },
});

/** GET /api/ports/:id/latest: every field's newest value (with its time and unit), and the counts of lines, records and text by format. */
export const latestRoute = defineRoute({
  method: 'GET',
  path: '/api/ports/:id/latest',
  summary: "Every field's newest value, and the line reader's counts",
  query: Type.Object({}, { additionalProperties: false }),
  responses: { 200: { description: 'The newest values and the counts.', schema: API_SCHEMAS.LatestResponse } },
  async handler(ctx, _deps, port) {
    if (!port) return;
    await port.linesReady();
    const lines = port.lines();
    const fields: LatestField[] = [];
    for (const [name, latest] of lines.series.latest()) fields.push({ name, ...latest });
    const body: LatestResponse = { fields, stats: lines.stats };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  },
});
