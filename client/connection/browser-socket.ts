// Adapts the browser's WebSocket to the SocketLike interface a Connection drives. With a ticket
// source, each socket first fetches a single-use ticket for its URL, then opens.
import type { SocketFactory } from './connection.js';
import { withTicket, type TicketSource } from './tickets.js';

/** A SocketFactory backed by the page's WebSocket: binary frames as Uint8Array, text frames as strings. */
export function browserSocketFactory(tickets?: TicketSource): SocketFactory {
  return (url, handlers) => {
    let ws: WebSocket | null = null;
    let closed = false;
    const open = (target: string): void => {
      if (closed) return; // closed while the ticket was on its way
      const socket = new WebSocket(target);
      ws = socket;
      socket.binaryType = 'arraybuffer';
      socket.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (typeof event.data === 'string') handlers.onText(event.data);
        else if (event.data instanceof ArrayBuffer) handlers.onBinary(new Uint8Array(event.data));
      });
      // 'error' carries no detail and is always followed by 'close', which carries the code: only 'close' is handled.
      socket.addEventListener('close', (event) => handlers.onClose(event.code, event.reason));
    };
    if (tickets) void tickets().then((ticket) => open(withTicket(url, ticket)));
    else open(url);
    return {
      // The Connection sends only after `hello`, so a socket still waiting for its ticket is never sent to.
      send: (data) => ws?.send(data),
      close: (code, reason) => {
        closed = true;
        ws?.close(code, reason);
      },
      get bufferedAmount() {
        return ws?.bufferedAmount ?? 0;
      },
    };
  };
}
