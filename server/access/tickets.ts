// Short-lived, single-use tickets for WebSocket and EventSource URLs: the page fetches one (its
// cookie or bearer token proves who it is) and puts it in the URL instead of the long-lived token,
// which would otherwise end up in proxy logs and browser history. The Moonraker pattern.
import { randomBytes } from 'node:crypto';

/**
 * How long a ticket is good for, in ms: the page uses it within milliseconds of fetching it, a phone
 * on a slow link within a few seconds; 10 s leaves room for that and is useless in a log by the time anyone reads it.
 */
export const TICKET_TTL_MS = 10_000;
/** Most tickets outstanding: far above any page's need; a script fetching tickets in a loop cannot grow memory past it. */
const MAX_OUTSTANDING_TICKETS = 1_000;

/** Issues tickets for values of T (who the ticket stands for) and redeems each once. */
export class TicketBook<T> {
  private readonly tickets = new Map<string, { value: T; expiresMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new ticket for `value`, good for TICKET_TTL_MS and one use. */
  issue(value: T): string {
    this.prune();
    if (this.tickets.size >= MAX_OUTSTANDING_TICKETS) {
      const oldest = this.tickets.keys().next();
      if (!oldest.done) this.tickets.delete(oldest.value);
    }
    const ticket = randomBytes(18).toString('base64url');
    this.tickets.set(ticket, { value, expiresMs: this.now() + TICKET_TTL_MS });
    return ticket;
  }

  /** The value a ticket stands for, once; undefined when unknown, used or expired. */
  redeem(ticket: string): T | undefined {
    const entry = this.tickets.get(ticket);
    if (!entry) return undefined;
    this.tickets.delete(ticket);
    return entry.expiresMs > this.now() ? entry.value : undefined;
  }

  private prune(): void {
    const now = this.now();
    for (const [ticket, entry] of this.tickets) if (entry.expiresMs <= now) this.tickets.delete(ticket);
  }
}
