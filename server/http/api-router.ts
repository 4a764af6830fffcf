// The HTTP API: a fixed table of routes under /api/, matched by method and path. Each route carries
// its input as TypeBox schemas; the router checks a request against them before the handler runs,
// and GET /api/openapi.json prints the same table and schemas as an OpenAPI 3.1 document. Written
// by hand rather than with a router package: a dozen fixed routes with one `:id` segment each.
import { Type } from '@sinclair/typebox';
import type { Context, Middleware } from 'koa';
import type { ServedPort } from '../ports/served-port.js';
import { apiPaths } from '../wire/api.js';
import { openApiDocument } from './openapi.js';
import { readBody } from './read-body.js';
import { checkInput, headerInput, queryInput } from './request-schema.js';
import { defineRoute, type ApiDeps, type Route } from './route-spec.js';
import { commandRoute, legacyWriteRoute, writeRoute } from './routes/command-routes.js';
import { downloadRoute } from './routes/download-route.js';
import { eventsRoute } from './routes/events-route.js';
import { getFiltersRoute, putFiltersRoute } from './routes/filter-routes.js';
import { devicesRoute, legacyStatusRoute, portRoute, portsRoute } from './routes/port-routes.js';
import { sendRoute } from './routes/send-route.js';
import { meRoute, ticketRoute } from './routes/access-routes.js';
import { auditRoute, writesRoute } from './routes/audit-routes.js';
import { latestRoute, seriesRoute } from './routes/series-routes.js';
import { sendError } from './send-error.js';
import { principalOf } from './access-middleware.js';
import { roleAllows, roleFor } from '../wire/roles.js';

export type { ApiDeps } from './route-spec.js';

/** GET /api/openapi.json: this table as an OpenAPI 3.1 document (behind the same access rules as the rest of /api). */
const openApiRoute = defineRoute({
  method: 'GET',
  path: apiPaths.openapi,
  summary: 'This API as an OpenAPI 3.1 document',
  responses: { 200: { description: 'The document.', schema: Type.Object({ openapi: Type.String(), paths: Type.Object({}) }) } },
  handler(ctx) {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = openApiDocument(API_ROUTES);
  },
});

/** Every route of the API, in the document's order. */
export const API_ROUTES: readonly Route[] = [
  portsRoute,
  portRoute,
  writeRoute,
  commandRoute,
  downloadRoute,
  eventsRoute,
  sendRoute,
  seriesRoute,
  latestRoute,
  getFiltersRoute,
  putFiltersRoute,
  devicesRoute,
  legacyStatusRoute,
  legacyWriteRoute,
  ticketRoute,
  meRoute,
  auditRoute,
  writesRoute,
  openApiRoute,
];

/** Routes /api/…; unknown API paths get 404 JSON, a known path with another method 405; other paths fall through. */
export function apiMiddleware(deps: ApiDeps): Middleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/api/')) return next();
    let pathMatched = false;
    for (const route of API_ROUTES) {
      const id = matchPath(route.path, ctx.path);
      if (id === undefined) continue;
      pathMatched = true;
      const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
      if (method !== route.method) continue;
      let port: ServedPort | null = null;
      if (id !== null) {
        port = deps.registry.get(id) ?? null;
        const role = port ? principalOf(ctx).roleOn(port.id) : null;
        // A port the asker may not watch is as good as absent: its name is not theirs to learn.
        if (!port || role === null) return sendError(ctx, 404, `no port ${JSON.stringify(id)}; see GET /api/ports`);
        const action = route.action ?? 'watch';
        if (!roleAllows(role, action)) {
          const reason = `${route.method} ${route.path.replace(':id', id)} needs the ${roleFor(action)} role; ${principalOf(ctx).name} is ${role}`;
          deps.audit?.refused(port.id, principalOf(ctx).name, `http@${ctx.ip || 'unknown'}`, { method: route.method, path: ctx.path, status: 403, reason });
          return sendError(ctx, 403, reason, { code: 'forbidden' });
        }
      }
      const input = await checkedInput(ctx, route);
      if ('error' in input) return sendError(ctx, input.status, input.error, input.status === 400 ? { code: 'bad-request' } : {});
      return route.handler(ctx, deps, port, input);
    }
    if (pathMatched) {
      const allowed = API_ROUTES.filter((r) => matchPath(r.path, ctx.path) !== undefined).map((r) => r.method);
      ctx.set('Allow', allowed.join(', '));
      return sendError(ctx, 405, `${ctx.method} not allowed on ${ctx.path}`);
    }
    sendError(ctx, 404, `no such endpoint: ${ctx.method} ${ctx.path}`);
  };
}

type Input = Parameters<Route['handler']>[3];

/** The request's query, headers and body, each checked against the route's schema; or the status and reason it is refused. */
async function checkedInput(ctx: Context, route: Route): Promise<Input | { status: number; error: string }> {
  const input: { query: unknown; headers: unknown; body: unknown } = { query: {}, headers: {}, body: undefined };
  if (route.query) {
    const query = checkInput(route.query, queryInput(route.query, ctx.URL.searchParams), 'parameter');
    if (!query.ok) return { status: 400, error: query.error };
    input.query = query.value;
  }
  if (route.headers) {
    const headers = checkInput(route.headers, headerInput(route.headers, (name) => ctx.get(name)), 'header');
    if (!headers.ok) return { status: 400, error: headers.error };
    input.headers = headers.value;
  }
  const spec = route.body;
  if (spec) {
    const bytes = await readBody(ctx.req, spec.maxBytes);
    if (bytes === null) return { status: 413, error: `body over ${spec.maxBytes} bytes` };
    if (spec.kind === 'raw') input.body = bytes;
    else {
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        return { status: 400, error: 'body is not valid JSON' };
      }
      const body = checkInput(spec.schema, value, 'field');
      if (!body.ok) return { status: 400, error: spec.refusal?.(value) ?? body.error };
      input.body = body.value;
    }
  }
  return input as Input;
}

/** undefined: no match; null: a match without `:id`; a string: the decoded id. */
function matchPath(pattern: string, path: string): string | null | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  let id: string | null = null;
  for (let i = 0; i < want.length; i++) {
    if (want[i] === ':id') {
      try {
        id = decodeURIComponent(got[i]!);
      } catch {
        return undefined;
      }
      if (id === '') return undefined;
    } else if (want[i] !== got[i]) return undefined;
  }
  return id;
}
