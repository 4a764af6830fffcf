// A WebSocket test client for serialdeck: collects the byte stream and control messages, and lets
// tests await a condition on them (resolved by the next frame that satisfies it, never by sleeping).
import WebSocket from 'ws';
import { decodeServerMessage, encodeMessage, type ClientMessage, type ServerMessage } from '../../server/wire/protocol.js';

/** What `close` events carry. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** A connected (or refused) test client. */
export interface TestClient {
  ws: WebSocket;
  /** Every binary byte received, in order. */
  bytes(): Buffer;
  /** Received bytes as latin1 text (one char per byte, so any byte value round-trips). */
  text(): string;
  messages: ServerMessage[];
  /** Resolves when `predicate` holds (checked now and after every frame); rejects after timeoutMs. */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Resolves when the received bytes contain `needle`. */
  untilText(needle: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the first control message of `type` received (now or later). */
  message<T extends ServerMessage['type']>(type: T, timeoutMs?: number): Promise<Extract<ServerMessage, { type: T }>>;
  send(message: ClientMessage): void;
  sendBytes(bytes: Uint8Array | string): void;
  closed: Promise<CloseInfo>;
  close(): Promise<CloseInfo>;
}

/** Default wait for a condition: generous for a loaded 2-core CI machine. */
const WAIT_MS = 10_000;

/** Connects to `${baseUrl}ws` (or `path`, e.g. `ws/uno`, plus `query`); resolves once the socket is open or closed by the server. */
export async function connect(
  baseUrl: string,
  options: { path?: string; query?: string; headers?: Record<string, string>; origin?: string } = {},
): Promise<TestClient> {
  const url = `${baseUrl.replace(/^http/, 'ws')}${options.path ?? 'ws'}${options.query ? `?${options.query}` : ''}`;
  const wsOptions: WebSocket.ClientOptions = { headers: options.headers ?? {} };
  if (options.origin) wsOptions.origin = options.origin;
  const ws = new WebSocket(url, wsOptions);
  const chunks: Buffer[] = [];
  let received: Buffer | null = Buffer.alloc(0);
  const messages: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  const check = () => waiters.forEach((w) => w());

  const bytes = () => (received ??= Buffer.concat(chunks));
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) {
      chunks.push(data);
      received = null;
    } else {
      const decoded = decodeServerMessage(data.toString());
      if (!decoded.ok) throw new Error(`server sent an invalid control message: ${decoded.error}`);
      messages.push(decoded.message);
    }
    check();
  });
  const closed = new Promise<CloseInfo>((resolve) =>
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      check();
    }),
  );
  ws.on('error', () => {}); // 'close' follows; tests look at the close code

  const until = (predicate: () => boolean, what: string, timeoutMs = WAIT_MS) =>
    new Promise<void>((resolve, reject) => {
      if (predicate()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${bytes().length} bytes`));
      }, timeoutMs);
      const waiter = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve();
      };
      waiters.add(waiter);
    });

  await new Promise<void>((resolve) => {
    ws.once('open', () => resolve());
    ws.once('close', () => resolve());
  });

  return {
    ws,
    bytes,
    text: () => bytes().toString('latin1'),
    messages,
    until,
    untilText: (needle, timeoutMs) =>
      until(() => bytes().includes(Buffer.from(needle, 'latin1')), JSON.stringify(needle), timeoutMs),
    message: async (type, timeoutMs) => {
      const find = () => messages.find((m) => m.type === type);
      await until(() => find() !== undefined, `a ${type} message`, timeoutMs);
      return find() as never;
    },
    send: (message) => ws.send(encodeMessage(message)),
    sendBytes: (data) => ws.send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, { binary: true }),
    closed,
    close: () => {
      ws.close();
      return closed;
    },
  };
}
