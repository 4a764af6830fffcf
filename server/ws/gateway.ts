// The server-wide WebSocket gateway: takes every upgrade on the shared http.Server, routes it by
// path to a port's fan-out (`/ws` is the first port, `/ws/<id>` any port), applies the access rules
// (loopback Host without a token, Origin, token), the client cap over all ports and the heartbeat,
// and tells every client when the set of ports changes. The routing follows ws's README, "Multiple
// servers sharing a single HTTP/S server"; one WebSocketServer serves every port.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AccessPolicy, Principal } from '../access/access-policy.js';
import { isOriginAllowed } from '../access/origin.js';
import { withoutToken, type Logger } from '../log.js';
import { CloseCode, MAX_WRITE_FRAME_BYTES, WS_PATH, type ServerMessage } from '../wire/protocol.js';
import { displayName, type FanOutClient, type PortFanOut } from './fan-out.js';
import type { Role } from '../wire/roles.js';

/** Ping every 20 s: well under the 60 s idle timeouts of common proxies, and cheap. */
export const HEARTBEAT_MS = 20_000;
/** How long close() waits for clients to answer the close handshake before cutting them off, in ms: a LAN peer answers in milliseconds; shutdown must not hang on a dead one. */
const CLOSE_GRACE_MS = 500;

/** Gateway settings (from Config). */
export interface GatewayOptions {
  /** Who a request is and their role per port: the same policy as the HTTP API's. */
  access: AccessPolicy;
  allowedOrigins: readonly string[];
  /** Most clients at once over all ports; more are closed with 1013. */
  maxClients: number;
  /** Ping interval; a client that has not answered the previous ping by the next is dropped. */
  heartbeatMs?: number;
  /** Clients arriving and leaving (info), refused connections (warn). */
  log?: Logger;
  /** Hears clients attach to and detach from a port, and refusals of a port the asker may not watch (the audit trail). */
  observer?: ConnectionObserver;
  /**
   * Control messages a client gets as soon as it has joined, after its hello: state that broadcasts
   * only update (the port list), so a change between the page's fetch and its join is not missed.
   */
  joinMessages?(principal: Principal): ServerMessage[];
}

/** What the gateway tells the audit trail: `who` is the client's display name, `source` its label (`ws:4@192.168.1.20`). */
export interface ConnectionObserver {
  attached?(port: string, who: string, source: string, role: Role): void;
  detached?(port: string, who: string, source: string, closeCode: number): void;
  refused?(port: string, who: string, address: string, reason: string): void;
}

interface Connection {
  ws: WebSocket;
  alive: boolean;
  client: FanOutClient | null;
  principal: Principal;
}

/** Routes and guards every WebSocket of one server. */
export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly heartbeat: NodeJS.Timeout;
  private nextClientNumber = 1;
  private closing: Promise<void> | null = null;

  /** `route(id)` finds a port's fan-out by id; `route(null)` is the first port's. */
  constructor(
    private readonly options: GatewayOptions,
    private readonly route: (id: string | null) => PortFanOut | undefined,
  ) {
    // perMessageDeflate off: serial output is small and latency-bound; compression costs CPU on a Pi.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WRITE_FRAME_BYTES, perMessageDeflate: false });
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Connected clients over all ports. */
  get clientCount(): number {
    return this.connections.size;
  }

  /** The http.Server 'upgrade' handler: `/ws` and `/ws/<id>`; anything else is refused with 404. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy()); // a reset mid-handshake must not crash the server
    const url = new URL(req.url ?? '/', 'http://localhost');
    const id = portIdOf(url.pathname);
    const fanOut = this.closing || id === undefined ? undefined : this.route(id);
    if (!fanOut) {
      this.refused(req, 'no such port');
      return refuseUpgrade(socket, 404, 'Not Found');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, req, url, fanOut));
  }

  /** Sends `message` to every client of every port (the port list when it changes); a function words it for each client's principal. */
  broadcast(message: ServerMessage | ((principal: Principal) => ServerMessage)): void {
    for (const connection of this.connections)
      connection.client?.sendControl(typeof message === 'function' ? message(connection.principal) : message);
  }

  /** Closes every client with 1001 (they reconnect) and stops; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeat);
      const closed = [...this.connections].map(
        ({ ws }) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(CloseCode.goingAway, 'server shutting down');
          }),
      );
      const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
      await Promise.race([Promise.all(closed), grace]);
      for (const { ws } of this.connections) ws.terminate();
      this.connections.clear();
      this.wss.close();
    })();
    return this.closing;
  }

  /** Checks are made after the handshake so a browser sees a close code it can act on (a refused upgrade is only "1006"). */
  private accept(ws: WebSocket, socket: Duplex, req: IncomingMessage, url: URL, fanOut: PortFanOut): void {
    ws.on('error', () => {}); // ws always emits 'close' after 'error'; cleanup happens there
    const refuse = (code: number, reason: string): void => {
      this.refused(req, reason);
      ws.close(code, reason);
    };
    if (!isOriginAllowed(req, this.options.allowedOrigins)) return refuse(CloseCode.policyViolation, 'origin not allowed');
    const identity = this.options.access.identify(req, url);
    if (!identity.ok) return refuse(identity.status === 429 ? CloseCode.tryAgainLater : CloseCode.policyViolation, identity.reason);
    const principal: Principal = identity.principal;
    const role = principal.roleOn(fanOut.portId);
    if (role === null) {
      const reason = `${principal.name} has no access to port ${fanOut.portId}`;
      this.options.observer?.refused?.(fanOut.portId, principal.name, req.socket.remoteAddress ?? 'unknown', reason);
      return refuse(CloseCode.policyViolation, reason);
    }
    if (this.connections.size >= this.options.maxClients) return refuse(CloseCode.tryAgainLater, 'too many clients');
    const connection: Connection = { ws, alive: true, client: null, principal };
    this.connections.add(connection);
    const source = `ws:${this.nextClientNumber++}@${req.socket.remoteAddress ?? 'unknown'}`;
    const where = withoutToken(url.pathname);
    ws.on('pong', () => (connection.alive = true));
    const who = displayName(principal, url);
    ws.on('close', (code) => {
      this.connections.delete(connection);
      this.options.log?.info(`${source} left ${where} (close code ${code})`);
      this.options.observer?.detached?.(fanOut.portId, who, source, code);
    });
    this.options.observer?.attached?.(fanOut.portId, who, source, role);
    const client = fanOut.accept(ws, socket, url, source, principal);
    connection.client = client;
    for (const message of this.options.joinMessages?.(principal) ?? []) client.sendControl(message);
    this.options.log?.info(`${source} (${principal.name}, ${principal.roleOn(fanOut.portId)}) connected to ${where} (${this.connections.size} connected)`);
  }

  private refused(req: IncomingMessage, reason: string): void {
    this.options.log?.warn(`refused a WebSocket from ${req.socket.remoteAddress ?? 'unknown'} to ${withoutToken(req.url ?? '/')}: ${reason}`);
  }

  private beat(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
    }
  }
}

/** The port a WebSocket path names: null for `/ws` (the first port), the id for `/ws/<id>`, undefined for anything else. */
export function portIdOf(pathname: string): string | null | undefined {
  if (pathname === WS_PATH) return null;
  if (!pathname.startsWith(`${WS_PATH}/`)) return undefined;
  const rest = pathname.slice(WS_PATH.length + 1);
  if (rest === '' || rest.includes('/')) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
