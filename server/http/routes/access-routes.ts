// Routes about the asker: a single-use ticket for WebSocket and EventSource URLs, and who they are.
import { API_SCHEMAS } from '../api-schemas.js';
import { principalOf } from '../access-middleware.js';
import { defineRoute } from '../route-spec.js';
import { TICKET_TTL_MS } from '../../access/tickets.js';
import type { Role } from '../../wire/roles.js';
import type { TicketResponse, WhoAmI } from '../../wire/api.js';

/** POST /api/tickets: a ticket standing for the asker, good once within TICKET_TTL_MS. */
export const ticketRoute = defineRoute({
  method: 'POST',
  path: '/api/tickets',
  summary: 'A short-lived, single-use ticket for a WebSocket or EventSource URL',
  description:
    'Put it in the URL as ?ticket= instead of the long-lived token, which would end up in logs and histories. ' +
    'It stands for whoever asked (their cookie or bearer token), works once, and expires after a few seconds.',
  responses: { 200: { description: 'The ticket.', schema: API_SCHEMAS.TicketResponse } },
  handler(ctx, deps) {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ticket: deps.access.issueTicket(principalOf(ctx)), expiresInMs: TICKET_TTL_MS } satisfies TicketResponse;
  },
});

/** GET /api/me: the asker's name and role on each port they may watch. */
export const meRoute = defineRoute({
  method: 'GET',
  path: '/api/me',
  summary: 'Who the asker is, and their role on each port',
  responses: { 200: { description: 'The asker.', schema: API_SCHEMAS.WhoAmI } },
  handler(ctx, deps) {
    const principal = principalOf(ctx);
    const roles: Record<string, Role> = {};
    for (const port of deps.registry.list()) {
      const role = principal.roleOn(port.id);
      if (role !== null) roles[port.id] = role;
    }
    ctx.body = { name: principal.name, via: principal.via, roles } satisfies WhoAmI;
  },
});
