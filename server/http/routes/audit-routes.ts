// GET /api/audit: the audit log as NDJSON, for admins, filtered by time, port and person, streamed
// with bounded memory. GET /api/ports/:id/writes: a port's recent writes with their authors, for the
// console's inline writes after a reload. docs/security.md (## Audit) and docs/protocol.md.
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { Context } from 'koa';
import { apiPaths, type WritesResponse } from '../../wire/api.js';
import { principalOf } from '../access-middleware.js';
import { defineRoute, type ApiDeps } from '../route-spec.js';
import { API_SCHEMAS } from '../api-schemas.js';
import { parseTime, streamOffset, timeText } from '../schema-helpers.js';
import { sendError } from '../send-error.js';

/** The query of GET /api/audit. */
export const AuditQuerySchema = Type.Object(
  {
    since: Type.Optional(timeText({ description: 'Entries at or after this time.' })),
    until: Type.Optional(timeText({ description: 'Entries before this time.' })),
    port: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Only this port’s entries.' })),
    who: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Only this person’s entries (a token’s name, admin, anonymous).' })),
  },
  { additionalProperties: false },
);

/**
 * GET /api/audit. Who may read what: an admin of at least one port reads the entries of the ports
 * they are admin of; the server-wide entries (failed logins, lockouts, the log's own) only an admin
 * of every served port. Anyone else gets 403, which is itself recorded.
 */
export const auditRoute = defineRoute({
  method: 'GET',
  path: apiPaths.audit,
  summary: 'The audit log, as NDJSON (admins)',
  description:
    'One AuditEntry per line, oldest first. Filters: since/until (times), port, who. An admin of some ports gets those ports’ entries; ' +
    'server-wide entries (port null) need admin on every port.',
  action: 'audit',
  query: AuditQuerySchema,
  responses: {
    200: { description: 'The entries, streamed.', contentType: 'application/x-ndjson', schema: API_SCHEMAS.AuditEntry },
    403: { description: 'Not an admin of any port.', schema: API_SCHEMAS.Error },
  },
  handler: (ctx, deps, _port, { query }) => downloadAudit(ctx, deps, query),
});

function downloadAudit(ctx: Context, deps: ApiDeps, query: { since?: string; until?: string; port?: string; who?: string }): void {
  const principal = principalOf(ctx);
  const ports = deps.registry.list().map((port) => port.id);
  const adminOf = new Set(ports.filter((id) => principal.roleOn(id) === 'admin'));
  if (adminOf.size === 0) {
    const reason = `reading the audit needs the admin role on a port; ${principal.name} is admin of none`;
    deps.audit?.refused(null, principal.name, `http@${ctx.ip || 'unknown'}`, { method: 'GET', path: ctx.path, status: 403, reason });
    return sendError(ctx, 403, reason, { code: 'forbidden' });
  }
  const times: { since: number | null; until: number | null } = { since: null, until: null };
  for (const name of ['since', 'until'] as const) {
    const text = query[name];
    if (text === undefined) continue;
    const ms = parseTime(text);
    if (!Number.isFinite(ms)) return sendError(ctx, 400, `${name} must be ${timeText().title}, got ${JSON.stringify(text)}`, { code: 'bad-request' });
    times[name] = ms;
  }
  if (!deps.audit) return sendError(ctx, 404, 'this server keeps no audit trail');
  const everywhere = adminOf.size === ports.length;
  // Ports no longer served (a board unplugged under --watch) are judged by the same role rule.
  const visible = (port: string | null): boolean => (port === null ? everywhere : adminOf.has(port) || principal.roleOn(port) === 'admin');
  const abort = new AbortController();
  ctx.req.once('close', () => abort.abort());
  const lines = deps.audit.lines({ sinceMs: times.since, untilMs: times.until, port: query.port ?? null, who: query.who ?? null, visible }, abort.signal);
  const body = Readable.from(lines, { objectMode: false });
  body.on('error', () => body.destroy()); // a read error mid-stream ends the download; the status is already sent
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  ctx.set('Content-Type', 'application/x-ndjson');
  ctx.set('Content-Disposition', `attachment; filename="serialdeck-audit-${stamp}.ndjson"`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}

/** The query of GET /api/ports/:id/writes. */
export const WritesQuerySchema = Type.Object(
  { from: Type.Optional(streamOffset({ description: 'Writes at this stream offset or later (default: all kept).' })) },
  { additionalProperties: false },
);

/** GET /api/ports/:id/writes: the port's recent writes (the newest 1,000 at most), for anyone who may watch it. */
export const writesRoute = defineRoute({
  method: 'GET',
  path: '/api/ports/:id/writes',
  summary: 'The port’s recent writes with their authors (the console’s inline writes)',
  description: 'Kept in memory, the newest 1,000 per port; live ones arrive as `wrote` control messages on the WebSocket.',
  query: WritesQuerySchema,
  responses: { 200: { description: 'The writes, oldest first.', schema: API_SCHEMAS.WritesResponse } },
  handler(ctx, deps, port, { query }) {
    if (!port) return;
    const body: WritesResponse = { writes: deps.recentWrites?.since(port.id, query.from ?? 0) ?? [] };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  },
});
