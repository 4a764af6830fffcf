// An EventSource whose URL carries a single-use ticket: it fetches the ticket, then opens. The
// browser's own reconnects reuse the spent ticket; the server then falls back to the page's cookie.
import type { EventSourceLike } from '../views/port-data.js';
import { withTicket, type TicketSource } from './tickets.js';

/** EventSource.CONNECTING, the state while the ticket is fetched. */
const CONNECTING = 0;
/** EventSource.CLOSED. */
const CLOSED = 2;

/** Opens `url` with a ticket from `tickets`, using `create` (the page's EventSource constructor). */
export function ticketedEventSource(url: string, tickets: TicketSource, create: (url: string) => EventSourceLike): EventSourceLike {
  let inner: EventSourceLike | null = null;
  let closed = false;
  const listeners: Array<[string, (event: MessageEvent<string>) => void]> = [];
  void tickets().then((ticket) => {
    if (closed) return;
    inner = create(withTicket(url, ticket));
    for (const [type, listener] of listeners) inner.addEventListener(type, listener);
  });
  return {
    get readyState() {
      return closed ? CLOSED : (inner?.readyState ?? CONNECTING);
    },
    addEventListener(type, listener) {
      listeners.push([type, listener]);
      inner?.addEventListener(type, listener);
    },
    close() {
      closed = true;
      inner?.close();
    },
  };
}
