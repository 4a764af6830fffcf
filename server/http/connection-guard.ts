// Slow-client limits for the server's sockets (slowloris): how long a client may take to send its
// request headers and its whole request, and how many connections may be open without having sent
// a complete request yet. Node enforces the two timeouts itself (408, then close); the cap on
// request-less connections is ours, because Node has none: a hundred sockets that trickle a byte a
// second cost nothing to open and each holds a file descriptor and a parser. Works on an http.Server
// and on an https.Server alike (their 'connection' sockets are the raw TCP ones, matched to requests
// by remote address and port).
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';

/**
 * Time a client has to send its request headers, in ms: a LAN client sends them in a millisecond and
 * a phone waking its Wi-Fi radio in a second or two, so 10 s is generous yet bounds what a slow sender
 * holds (Node's default is 60 s).
 */
export const HEADERS_TIMEOUT_MS = 10_000;
/**
 * Time a client has to send its whole request, body included, in ms: the largest body is a 1 MiB
 * write (MAX_WRITE_FRAME_BYTES), which even a 1 Mbit/s link sends in under 10 s (Node's default is
 * 5 min). Responses are not limited by it: SSE streams and WebSockets stay open.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
/**
 * How often the timeouts are checked, in ms: Node's default (30 s) lets a slow client overstay the
 * headers timeout by up to that long; once a second costs one walk over the open sockets.
 */
export const TIMEOUT_CHECK_MS = 1000;
/**
 * Most connections open at once that have not yet sent a complete request; a new one past this closes
 * the oldest. Browsers open a few speculative connections each, so a room of tabs stays far below 64,
 * while a Pi's default limit of 1024 file descriptors is never spent on half-sent requests. Closing the
 * oldest rather than refusing the newest means a real request always gets in.
 */
export const MAX_PENDING_CONNECTIONS = 64;

/** Overrides, for tests. */
export interface ConnectionGuardOptions {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  timeoutCheckMs?: number;
  maxPendingConnections?: number;
}

/**
 * Applies the timeouts and the cap to `server`; call it before listen() (Node starts its timeout check
 * on 'listening'). A connection that has sent no complete request within the headers timeout is closed
 * by Node with 408 over HTTP, and by the guard itself during a TLS handshake. Stops with the server.
 */
export function guardConnections(server: HttpServer | HttpsServer, options: ConnectionGuardOptions = {}): void {
  const headersTimeoutMs = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const maxPending = options.maxPendingConnections ?? MAX_PENDING_CONNECTIONS;
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // A createServer option in Node's docs; Node 20 keeps it on the server and reads it on 'listening'.
  const timed = server as (HttpServer | HttpsServer) & { connectionsCheckingInterval: number };
  timed.connectionsCheckingInterval = options.timeoutCheckMs ?? TIMEOUT_CHECK_MS;

  // Insertion order is arrival order, so the first entry is always the oldest.
  const pending = new Map<string, { socket: Socket; sinceMs: number }>();
  const keyOf = (socket: Socket): string => `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;

  server.on('connection', (socket: Socket) => {
    if (pending.size >= maxPending) {
      const [oldestKey, oldest] = pending.entries().next().value as [string, { socket: Socket }];
      pending.delete(oldestKey);
      oldest.socket.destroy();
    }
    const key = keyOf(socket);
    pending.set(key, { socket, sinceMs: Date.now() });
    socket.once('close', () => {
      if (pending.get(key)?.socket === socket) pending.delete(key);
    });
  });
  const served = (req: IncomingMessage): void => void pending.delete(keyOf(req.socket));
  server.on('request', served);
  server.on('upgrade', served);
  // start() swaps its "starting" handler for the app with removeAllListeners('request'): stay attached.
  server.on('removeListener', (event: string | symbol, listener: unknown) => {
    if (listener === served && typeof event === 'string') server.on(event, served);
  });

  // Node's headersTimeout starts with the HTTP parser, after a TLS handshake: a handshake that never ends is ours
  // to close. Two checks later than Node's own, so a plain HTTP client still gets Node's 408 first.
  const checkMs = timed.connectionsCheckingInterval;
  const sweep = setInterval(() => {
    const deadline = Date.now() - headersTimeoutMs - 2 * checkMs;
    for (const [key, entry] of pending) {
      if (entry.sinceMs > deadline) break;
      pending.delete(key);
      entry.socket.destroy();
    }
  }, checkMs);
  sweep.unref();
  server.once('close', () => {
    clearInterval(sweep);
    pending.clear();
  });
}
