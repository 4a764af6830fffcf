// Single-use tickets for the page's WebSocket and EventSource URLs (POST api/tickets, see
// docs/security.md): the long-lived token never goes in a URL, where proxies and histories keep it.
import { apiPaths, type TicketResponse } from '../../server/wire/api.js';

/** Fetches a ticket for whoever this page is (its cookie proves it); null when the server gives none (then the cookie alone is used). */
export type TicketSource = () => Promise<string | null>;

/** A TicketSource that POSTs to the api/tickets beside `pageHref` with `fetchImpl` (the page's fetch). */
export function ticketSource(pageHref: string, fetchImpl: (url: string, init: RequestInit) => Promise<Response>): TicketSource {
  return async () => {
    try {
      const response = await fetchImpl(new URL(`.${apiPaths.tickets}`, pageHref).href, { method: 'POST', credentials: 'same-origin' });
      if (!response.ok) return null;
      const body = (await response.json()) as Partial<TicketResponse>;
      return typeof body.ticket === 'string' ? body.ticket : null;
    } catch {
      return null; // an old server, or the network: connect without one and let the cookie speak
    }
  };
}

/** `url` with `ticket` added as ?ticket= (unchanged when ticket is null). */
export function withTicket(url: string, ticket: string | null): string {
  if (ticket === null) return url;
  const parsed = new URL(url);
  parsed.searchParams.set('ticket', ticket);
  return parsed.href;
}
