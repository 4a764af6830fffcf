// A serialdeck WebSocket client as a script would write it: binary frames are device output,
// text frames are control messages, of which `skipped` matters here. It never acks, so the
// server sees it as a plain (non-browser) client, limited only by its socket.
import WebSocket from 'ws';
import { decodeServerMessage } from '../../../server/wire/protocol.js';
import type { LineChecker } from '../line-checker.js';
import type { BenchClient } from '../peers/peer.js';

/** What the server's hello said: the stream's id and the offset of the first byte that follows. */
export interface HelloInfo {
  stream: string;
  offset: number;
  mode: string;
}

/** A WebSocket bench client, with its hello. */
export interface WsBenchClient extends BenchClient {
  readonly hello: HelloInfo;
}

/** Connects to `url` (ws://host:port/ws, with any query); resolves after the server's hello. */
export function connectWs(url: string, checker: LineChecker): Promise<WsBenchClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('error', reject);
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) {
        checker.push(toBuffer(data), Number(process.hrtime.bigint()));
        return;
      }
      const decoded = decodeServerMessage(toBuffer(data).toString('utf8'));
      if (!decoded.ok) return;
      const message = decoded.message;
      if (message.type === 'skipped') checker.skipped(message.bytes);
      if (message.type === 'hello') {
        ws.off('error', reject);
        ws.on('error', () => undefined); // a reset at teardown is expected; the checker has the counts
        resolve({
          hello: { stream: message.stream, offset: message.offset, mode: message.mode },
          pause: () => ws.pause(),
          resume: () => ws.resume(),
          send: (bytes) => ws.send(bytes, { binary: true }),
          close: () => ws.terminate(),
        });
      }
    });
    ws.once('close', (code) => reject(new Error(`closed before hello (${code})`)));
  });
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
