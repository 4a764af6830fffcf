// Adapts the browser's WebSocket to the SocketLike interface a Connection drives.
import type { SocketFactory } from './connection.js';

/** A SocketFactory backed by the page's WebSocket: binary frames as Uint8Array, text frames as strings. */
export function browserSocketFactory(): SocketFactory {
  return (url, handlers) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    let closed = false;
    ws.addEventListener('open', () => handlers.onOpen());
    ws.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data === 'string') handlers.onText(event.data);
      else if (event.data instanceof ArrayBuffer) handlers.onBinary(new Uint8Array(event.data));
    });
    // 'error' is always followed by 'close', which carries the code; nothing to do here but not crash.
    ws.addEventListener('error', () => {});
    ws.addEventListener('close', (event) => {
      if (closed) return;
      closed = true;
      handlers.onClose(event.code, event.reason);
    });
    return {
      send: (data) => ws.send(data),
      close: (code, reason) => {
        // Closing a socket that is still connecting throws nothing but logs a warning in some browsers; fine.
        ws.close(code, reason);
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
    };
  };
}
