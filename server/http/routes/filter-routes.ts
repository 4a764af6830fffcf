// A port's console filters: GET reads them, PUT replaces the whole list (checked: the schema, unique
// ids, patterns that compile; never run on the server). They change what the pages' Lines view
// shows, never the capture or the byte stream. Kept beside the capture, or in memory with no data directory.
import type { PortFilters } from '../../wire/api.js';
import { describeError } from '../../capture/fs-errors.js';
import { filterListProblem, FiltersRequestSchema } from '../../ports/port-filters.js';
import { API_SCHEMAS } from '../api-schemas.js';
import { defineRoute } from '../route-spec.js';
import { sendError } from '../send-error.js';

/** Largest PUT body, in bytes: 32 filters with 200-character patterns, escaped in JSON, fit several times over. */
export const MAX_FILTERS_BODY_BYTES = 64 * 1024;

/** GET /api/ports/:id/filters: the port's filters, whether they are kept on disk, and when they last changed. */
export const getFiltersRoute = defineRoute({
  method: 'GET',
  path: '/api/ports/:id/filters',
  summary: "The port's console filters (hide, show only, highlight)",
  responses: { 200: { description: 'The filters.', schema: API_SCHEMAS.PortFilters } },
  async handler(ctx, deps, port) {
    if (!port) return;
    const body: PortFilters = await deps.filters.get(port.id);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  },
});

/** PUT /api/ports/:id/filters: replaces the list; 400 with the reason for a bad filter; 503 if it cannot be written (the old list stays). */
export const putFiltersRoute = defineRoute({
  method: 'PUT',
  path: '/api/ports/:id/filters',
  summary: "Replace the port's console filters",
  action: 'configure',
  description:
    'The whole list is replaced. Each pattern must compile as a JavaScript regular expression with its flags; the server never runs it. ' +
    'Filters change what pages show in their Lines view, never the capture, the byte stream or the raw console.',
  body: { kind: 'json', schema: FiltersRequestSchema, maxBytes: MAX_FILTERS_BODY_BYTES },
  responses: {
    200: { description: 'Saved (on disk, or in memory only when `persisted` is false).', schema: API_SCHEMAS.PortFilters },
    503: { description: 'The filter file could not be written; the old list is kept.', schema: API_SCHEMAS.Error },
  },
  async handler(ctx, deps, port, { body }) {
    if (!port) return;
    const problem = filterListProblem(body.filters);
    if (problem !== null) return sendError(ctx, 400, problem, { code: 'bad-request' });
    let saved: PortFilters;
    try {
      saved = await deps.filters.put(port.id, body.filters);
    } catch (err) {
      return sendError(ctx, 503, `filters not saved: ${describeError(err)}`);
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = saved;
  },
});
