// Adapts the browser's WebSocket to the SocketLike interface a Connection drives.
import type { SocketFactory } from './connection.js';

/** A SocketFactory backed by the page's WebSocket: binary frames as Uint8Array, text frames as strings. */
export function browserSocketFactory(): SocketFactory {
  return (url, handlers) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data === 'string') handlers.onText(event.data);
      else if (event.data instanceof ArrayBuffer) handlers.onBinary(new Uint8Array(event.data));
    });
    // 'error' carries no detail and is always followed by 'close', which carries the code: only 'close' is handled.
    ws.addEventListener('close', (event) => handlers.onClose(event.code, event.reason));
    return {
      send: (data) => ws.send(data),
      close: (code, reason) => ws.close(code, reason),
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
    };
  };
}
