// The HTTP API: a fixed table of routes under /api/, matched by method and path. Written by hand
// rather than with a router package: a dozen fixed routes with one `:id` segment each, and the
// OpenAPI work planned next will generate this table and its validation from one set of schemas.
import type { Context, Middleware } from 'koa';
import type { PortRegistry } from '../ports/registry.js';
import type { ServedPort } from '../ports/served-port.js';
import type { DeviceInfo } from '../wire/api.js';
import { commandRoute, legacyWriteRoute, writeRoute } from './routes/command-routes.js';
import { downloadRoute } from './routes/download-route.js';
import { eventsRoute } from './routes/events-route.js';
import { sendRoute } from './routes/send-route.js';
import { latestRoute, seriesRoute } from './routes/series-routes.js';
import { devicesRoute, legacyStatusRoute, portRoute, portsRoute } from './routes/port-routes.js';

/** What the API reads and drives. */
export interface ApiDeps {
  registry: PortRegistry;
  /** Server-wide watch-only mode. */
  readOnly: boolean;
  /** WebSocket clients watching port `id`. */
  clients(id: string): number;
  /** The OS's serial devices. */
  listDevices(): Promise<DeviceInfo[]>;
}

/** A route's handler; `port` is set for routes under /api/ports/<id>/. */
export type RouteHandler = (ctx: Context, deps: ApiDeps, port: ServedPort | null) => Promise<void> | void;

interface Route {
  method: 'GET' | 'POST';
  /** Path with at most one `:id` segment, naming a served port. */
  path: string;
  handler: RouteHandler;
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/api/ports', handler: portsRoute },
  { method: 'GET', path: '/api/ports/:id', handler: portRoute },
  { method: 'POST', path: '/api/ports/:id/write', handler: writeRoute },
  { method: 'POST', path: '/api/ports/:id/command', handler: commandRoute },
  { method: 'GET', path: '/api/ports/:id/download', handler: downloadRoute },
  { method: 'GET', path: '/api/ports/:id/events', handler: eventsRoute },
  { method: 'POST', path: '/api/ports/:id/send', handler: sendRoute },
  { method: 'GET', path: '/api/ports/:id/series', handler: seriesRoute },
  { method: 'GET', path: '/api/ports/:id/latest', handler: latestRoute },
  { method: 'GET', path: '/api/devices', handler: devicesRoute },
  { method: 'GET', path: '/api/status', handler: legacyStatusRoute },
  { method: 'POST', path: '/api/write', handler: legacyWriteRoute },
];

/** Routes /api/…; unknown API paths get 404 JSON, a known path with another method 405; other paths fall through. */
export function apiMiddleware(deps: ApiDeps): Middleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/api/')) return next();
    let pathMatched = false;
    for (const route of ROUTES) {
      const id = matchPath(route.path, ctx.path);
      if (id === undefined) continue;
      pathMatched = true;
      const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
      if (method !== route.method) continue;
      let port: ServedPort | null = null;
      if (id !== null) {
        port = deps.registry.get(id) ?? null;
        if (!port) return sendError(ctx, 404, `no port ${JSON.stringify(id)}; see GET /api/ports`);
      }
      return route.handler(ctx, deps, port);
    }
    if (pathMatched) {
      const allowed = ROUTES.filter((r) => matchPath(r.path, ctx.path) !== undefined).map((r) => r.method);
      ctx.set('Allow', allowed.join(', '));
      return sendError(ctx, 405, `${ctx.method} not allowed on ${ctx.path}`);
    }
    sendError(ctx, 404, `no such endpoint: ${ctx.method} ${ctx.path}`);
  };
}

/** Answers with `{ error }` and a status. */
export function sendError(ctx: Context, status: number, message: string, extra: Record<string, unknown> = {}): void {
  ctx.status = status;
  ctx.body = { error: message, ...extra };
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
