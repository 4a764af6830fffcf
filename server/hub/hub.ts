// The WebSocket side of one serial port: accepts upgrades (token, Origin, client cap), keeps the
// scrollback, fans device bytes out to every client through its own ClientStream, and turns client
// frames into worker messages. Nothing here waits on a client.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  CloseCode,
  decodeClientMessage,
  MAX_CONTROL_BYTES,
  MAX_WRITE_FRAME_BYTES,
  PROTOCOL_VERSION,
  WS_PATH,
  type ClientMessage,
  type DeviceStatus,
  type ErrorCode,
  type ServerMessage,
} from '../wire/protocol.js';
import type { ToWorker } from '../serial/messages.js';
import { isAuthorized } from '../access/token.js';
import { isLoopbackHostHeader, isOriginAllowed } from '../access/origin.js';
import { ClientStream, DEFAULT_STREAM_LIMITS, type StreamLimits } from './client-stream.js';
import { Scrollback } from './scrollback.js';
import { SharedFrames } from './binary-frames.js';

/** What the hub needs of the serial side: its status and a way to post to the worker. */
export interface DeviceLink {
  readonly status: DeviceStatus;
  post(message: ToWorker): void;
}

/** Hub settings (from Config). */
export interface HubOptions {
  readOnly: boolean;
  maxClients: number;
  token: string | null;
  allowedOrigins: readonly string[];
  scrollbackBytes: number;
  limits?: StreamLimits;
  /** Ping interval; a client that has not answered the previous ping by the next is dropped. */
  heartbeatMs?: number;
}

/** Ping every 20 s: well under the 60 s idle timeouts of common proxies, and cheap. */
export const HEARTBEAT_MS = 20_000;
/** How long close() waits for clients to answer the close handshake before cutting them off. */
const CLOSE_GRACE_MS = 500; // a LAN peer answers in milliseconds; shutdown must not hang on a dead one
/** Default reset pulse, in ms: long enough for the Uno's auto-reset capacitor, short for a person. */
const RESET_PULSE_MS = 100;

interface Client {
  ws: WebSocket;
  stream: ClientStream;
  alive: boolean;
}

/** One port's WebSocket fan-out. */
export class Hub {
  private readonly wss: WebSocketServer;
  private readonly scrollback: Scrollback;
  private readonly frames: SharedFrames;
  /** Names this stream, so a client resuming with offsets from before a restart is recognised. */
  private readonly streamId = randomUUID();
  private readonly clients = new Set<Client>();
  private readonly decoder = new TextDecoder(); // stateless use (whole messages): one is enough
  private readonly heartbeat: NodeJS.Timeout;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly options: HubOptions,
    private readonly device: DeviceLink,
  ) {
    this.scrollback = new Scrollback(options.scrollbackBytes);
    this.frames = new SharedFrames(this.scrollback, (options.limits ?? DEFAULT_STREAM_LIMITS).frameBytes);
    // perMessageDeflate off: serial output is small and latency-bound; compression costs CPU on a Pi.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WRITE_FRAME_BYTES, perMessageDeflate: false });
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Number of connected clients. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Oldest and next stream offsets held in the scrollback. */
  get streamRange(): { start: number; end: number } {
    return { start: this.scrollback.start, end: this.scrollback.end };
  }

  /** The http.Server 'upgrade' handler: takes `/ws`, refuses everything else. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy()); // a reset mid-handshake must not crash the server
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (this.closing || url.pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (this.options.token === null && !isLoopbackHostHeader(req.headers.host))
      return refuseUpgrade(socket, 403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, req, url));
  }

  /** New bytes from the device: keep them and let every client send what it can. */
  onDeviceData(chunk: Uint8Array): void {
    this.scrollback.append(chunk);
    for (const client of this.clients) client.stream.pump();
  }

  /** A device status change: every client gets it. */
  onDeviceStatus(device: DeviceStatus): void {
    this.broadcast({ type: 'status', device });
  }

  /** A device-side error (refused ioctl, write failure): every client is told. */
  onDeviceError(message: string): void {
    this.broadcast({ type: 'error', code: 'device', message });
  }

  /** Closes every client with 1001 (they reconnect) and stops; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeat);
      const closed = [...this.clients].map(
        ({ ws }) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(CloseCode.goingAway, 'server shutting down');
          }),
      );
      const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
      await Promise.race([Promise.all(closed), grace]);
      for (const { ws } of this.clients) ws.terminate();
      this.clients.clear();
      this.wss.close();
    })();
    return this.closing;
  }

  /** `socket` is the one ws was handed: binary frames are written to it directly (see ClientStream). */
  private accept(ws: WebSocket, socket: Duplex, req: IncomingMessage, url: URL): void {
    ws.on('error', () => {}); // ws always emits 'close' after 'error'; cleanup happens there
    if (!isOriginAllowed(req, this.options.allowedOrigins))
      return ws.close(CloseCode.policyViolation, 'origin not allowed');
    if (!isAuthorized(req, url, this.options.token)) return ws.close(CloseCode.policyViolation, 'token required');
    if (this.clients.size >= this.options.maxClients) return ws.close(CloseCode.tryAgainLater, 'too many clients');

    const { helloOffset, offset, notBuffered } = this.resumePoint(url.searchParams.get('offset'), url.searchParams.get('stream'));
    const stream = new ClientStream(ws, socket, this.frames, this.options.limits ?? DEFAULT_STREAM_LIMITS, offset);
    const client: Client = { ws, stream, alive: true };
    this.clients.add(client);

    stream.sendControl({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      stream: this.streamId,
      offset: helloOffset,
      readOnly: this.options.readOnly,
      device: this.device.status,
      clients: this.clients.size,
    });
    if (notBuffered > 0) stream.sendControl({ type: 'skipped', bytes: notBuffered, offset, reason: 'not-buffered' });
    stream.pump();
    this.broadcast({ type: 'clients', count: this.clients.size }, client);

    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => this.onClientFrame(client, data, isBinary));
    ws.on('close', () => {
      if (this.clients.delete(client) && !this.closing) this.broadcast({ type: 'clients', count: this.clients.size });
    });
  }

  /**
   * Where a (re)connecting client starts: the offset its hello names, where sending begins, and
   * the gap between them. No offset: replay the whole scrollback. An offset still
   * buffered: exactly there. Older: the oldest buffered byte, with the gap reported. Another stream's
   * id, or beyond the end (this server restarted since): the new stream, replayed whole.
   */
  private resumePoint(
    param: string | null,
    stream: string | null,
  ): { helloOffset: number; offset: number; notBuffered: number } {
    const { start, end } = this.scrollback;
    const sameStream = stream === null || stream === this.streamId;
    const asked = param !== null && /^\d+$/.test(param) && sameStream ? Number(param) : null;
    if (asked === null || asked > end) return { helloOffset: start, offset: start, notBuffered: 0 };
    if (asked < start) return { helloOffset: asked, offset: start, notBuffered: start - asked };
    return { helloOffset: asked, offset: asked, notBuffered: 0 };
  }

  private onClientFrame(client: Client, data: RawData, isBinary: boolean): void {
    const bytes = toBytes(data);
    if (isBinary) return this.write(client, bytes);
    if (bytes.byteLength > MAX_CONTROL_BYTES)
      return this.reply(client, 'too-big', `control message over ${MAX_CONTROL_BYTES} bytes`);
    const decoded = decodeClientMessage(this.decoder.decode(bytes));
    if (!decoded.ok) return this.reply(client, 'bad-message', decoded.error);
    this.control(client, decoded.message);
  }

  private write(client: Client, bytes: Uint8Array): void {
    if (this.options.readOnly) return this.reply(client, 'read-only', 'this serialdeck is read-only');
    if (this.device.status.state !== 'open')
      return this.reply(client, 'not-open', `not sent: the device is ${this.device.status.state}`);
    if (bytes.byteLength === 0) return;
    // Copy into a buffer of its own: ws may hand us a view into a larger receive buffer, and transfer detaches.
    const own = new Uint8Array(bytes);
    this.device.post({ type: 'write', data: own });
  }

  private control(client: Client, message: ClientMessage): void {
    if (message.type === 'ack') return client.stream.ack(message.offset);
    if (this.options.readOnly) return this.reply(client, 'read-only', 'this serialdeck is read-only');
    switch (message.type) {
      case 'set-baud':
        return this.device.post({ type: 'set-baud', baudRate: message.baudRate });
      case 'set-signals': {
        const post: ToWorker = { type: 'set-signals' };
        if (message.dtr !== undefined) post.dtr = message.dtr;
        if (message.rts !== undefined) post.rts = message.rts;
        return this.device.post(post);
      }
      case 'reset':
        // The worker holds DTR and RTS low for pulseMs, then asserts them again (the Arduino auto-reset).
        return this.device.post({ type: 'set-signals', pulseMs: message.ms ?? RESET_PULSE_MS });
      case 'set-pacing':
        return this.device.post({
          type: 'set-pacing',
          charDelayMs: message.charDelayMs,
          lineDelayMs: message.lineDelayMs,
        });
      case 'reopen':
        return this.device.post({ type: 'open' });
    }
  }

  private reply(client: Client, code: ErrorCode, message: string): void {
    client.stream.sendControl({ type: 'error', code, message });
  }

  private broadcast(message: ServerMessage, except?: Client): void {
    for (const client of this.clients) if (client !== except) client.stream.sendControl(message);
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
