// What one API route is: its method and path, what it takes (query, headers, body, each as a
// TypeBox schema), what it answers, and its handler. The router checks every request against the
// route's schemas before the handler runs, and the OpenAPI document is printed from the same table.
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { Context } from 'koa';
import type { PortRegistry } from '../ports/registry.js';
import type { PortFilterStore } from '../ports/port-filters.js';
import type { ServedPort } from '../ports/served-port.js';
import type { AccessPolicy } from '../access/access-policy.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { RecentWrites } from '../audit/recent-writes.js';
import type { DeviceInfo } from '../wire/api.js';
import type { StreamCap } from './stream-cap.js';
import type { Action } from '../wire/roles.js';

/** What the API reads and drives. */
export interface ApiDeps {
  registry: PortRegistry;
  /** Who may do what (the routes' principal is in ctx.state, see principalOf). */
  access: AccessPolicy;
  /** WebSocket clients watching port `id`. */
  clients(id: string): number;
  /** The OS's serial devices. */
  listDevices(): Promise<DeviceInfo[]>;
  /** Every port's console filters. */
  filters: PortFilterStore;
  /** The audit trail (GET /api/audit; refusals and SSE clients are recorded in it); absent: none. */
  audit?: AuditTrail;
  /** Each port's recent writes, for the console's inline writes after a reload; absent: none. */
  recentWrites?: RecentWrites;
  /** Server-Sent Events streams open at once, over all ports, and their ceiling. */
  eventStreams: StreamCap;
}

/** A JSON request body: checked against `schema`; `refusal`, when given, words a refusal (the command route speaks as the WebSocket's decoder). */
export interface JsonBody<S extends TSchema = TSchema> {
  kind: 'json';
  schema: S;
  maxBytes: number;
  refusal?: (value: unknown) => string | null;
}

/** A raw request body (bytes for the device), read whole up to `maxBytes`. */
export interface RawBody {
  kind: 'raw';
  maxBytes: number;
  description: string;
}

/** One documented answer: a named schema (a key of API_SCHEMAS), an inline schema, or a media type alone. */
export interface ResponseDoc {
  description: string;
  /** Default application/json. */
  contentType?: string;
  schema?: TSchema;
  /** Other media types the same status can answer with (a download's formats). */
  alternatives?: Record<string, TSchema>;
  headers?: Record<string, { description: string; schema: TSchema }>;
}

/** A checked request, as the handler gets it. */
export interface RouteInput<Q, H, B> {
  query: Q;
  headers: H;
  body: B;
}

type Body = JsonBody | RawBody | undefined;
type QueryOf<Q> = Q extends TObject ? Static<Q> : Record<string, never>;
type BodyOf<B> = B extends JsonBody<infer S> ? Static<S> : B extends RawBody ? Uint8Array : undefined;

/** A route as its file writes it, with the handler typed by its schemas. */
export interface RouteDef<Q extends TObject | undefined, H extends TObject | undefined, B extends Body> {
  method: 'GET' | 'POST' | 'PUT';
  /** Path with at most one `:id` segment, naming a served port. */
  path: string;
  /** One line for the document. */
  summary: string;
  /** What the asker's role on the `:id` port must allow (default `watch`); commands are authorized again by the command path. */
  action?: Action;
  description?: string;
  query?: Q;
  headers?: H;
  body?: B;
  /** The answers besides the ones every route shares (401, 404 for an unknown port, 400 and 413 for a refused input). */
  responses: Record<number, ResponseDoc>;
  handler(ctx: Context, deps: ApiDeps, port: ServedPort | null, input: RouteInput<QueryOf<Q>, QueryOf<H>, BodyOf<B>>): Promise<void> | void;
}

/** A route in the table (its input's types erased). */
export type Route = RouteDef<TObject | undefined, TObject | undefined, Body>;

/** Declares a route; the handler's input is typed from its schemas. */
export function defineRoute<Q extends TObject | undefined = undefined, H extends TObject | undefined = undefined, B extends Body = undefined>(
  route: RouteDef<Q, H, B>,
): Route {
  return route as unknown as Route;
}
