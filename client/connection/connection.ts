// The WebSocket's lifecycle: connect, hand frames to the app, and after a drop reconnect with backoff,
// resuming from the last offset. The close code decides whether to retry (see CloseCode in protocol.ts).
import {
  CloseCode,
  decodeServerMessage,
  encodeMessage,
  MAX_WRITE_FRAME_BYTES,
  type ClientMessage,
  type ServerMessage,
} from '../../server/wire/protocol.js';
import { BUSY_RETRY_MIN_MS, reconnectDelayMs } from './backoff.js';
import { splitFrames } from '../controls/line-ending.js';
import type { TimerHandle, Timers } from '../ui/timers.js';

/** Most bytes allowed to wait in the socket's send buffer before input is refused, so a paste cannot pile up unboundedly. */
export const MAX_QUEUED_SEND_BYTES = 8 * 1024 * 1024; // 8 MiB

/** What the socket layer reports to a Connection; `browser-socket.ts` adapts a real WebSocket to it. */
export interface SocketHandlers {
  onText(text: string): void;
  onBinary(bytes: Uint8Array): void;
  /** Called once, after which the socket is dead. 1006 means it closed without a close frame. */
  onClose(code: number, reason: string): void;
}

/** The part of a WebSocket a Connection drives. */
export interface SocketLike {
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Bytes queued by `send` and not yet handed to the network. */
  readonly bufferedAmount: number;
}

/** Opens a socket to `url` that reports to `handlers`. */
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

/**
 * Where the connection stands. `connecting`: socket opening or waiting for `hello`; `connected`: `hello`
 * received; `retrying`: will reconnect at `atMs` (`busy` = the server had too many clients);
 * `unauthorized`: refused by policy (token/Origin), no retry until `reconnectNow`; `stopped`: disposed.
 */
export type ConnectionState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'connected' }
  | { kind: 'retrying'; atMs: number; reason: 'lost' | 'busy'; attempt: number }
  | { kind: 'unauthorized'; reason: string }
  | { kind: 'stopped' };

/** What a Connection reports to the app. */
export interface ConnectionEvents {
  onState(state: ConnectionState): void;
  /** A control message from the server, `hello` first on every connection. */
  onMessage(message: ServerMessage): void;
  /** Raw serial bytes, in stream order. */
  onBytes(bytes: Uint8Array): void;
  /** A text frame that is not a valid server message: logged by the app and otherwise ignored. */
  onBadFrame(error: string): void;
}

/** Options of a Connection. */
export interface ConnectionOptions {
  /** URL to connect to, given the offset to resume from (null: fresh connection, server replays its scrollback). */
  url(resumeOffset: number | null): string;
  resumeOffset(): number | null;
  createSocket: SocketFactory;
  timers: Timers;
  random(): number;
  events: ConnectionEvents;
}

/**
 * One logical connection to the server that survives socket drops. Call `start` once; `reconnectNow`
 * drops the socket and connects again at once; `stop` ends everything. Sends return false (and send
 * nothing) unless connected.
 */
export class Connection {
  private socket: SocketLike | null = null;
  private state: ConnectionState = { kind: 'stopped' };
  private failures = 0;
  private retryTimer: TimerHandle | null = null;

  constructor(private readonly options: ConnectionOptions) {}

  /** The current state. */
  current(): ConnectionState {
    return this.state;
  }

  /** Connects for the first time. */
  start(): void {
    this.connect();
  }

  /** Drops the current socket (if any) and connects now, resetting the backoff; also leaves `unauthorized`. */
  reconnectNow(): void {
    this.failures = 0;
    this.dropSocket(1000, 'reconnect requested');
    this.connect();
  }

  /** Closes the socket and cancels any retry; the Connection stays dead. */
  stop(): void {
    this.dropSocket(1000, 'page closed');
    this.setState({ kind: 'stopped' });
  }

  /** Sends raw bytes to the device, split to the server's frame limit. False when not connected or the send buffer is full. */
  sendBytes(bytes: Uint8Array): boolean {
    const socket = this.writableSocket(bytes.length);
    if (!socket) return false;
    for (const frame of splitFrames(bytes, MAX_WRITE_FRAME_BYTES)) socket.send(frame);
    return true;
  }

  /** Bytes the socket still holds to send (0 when there is none): what a long send paces itself on. */
  bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Sends a control message. False when not connected. */
  sendMessage(message: ClientMessage): boolean {
    const socket = this.writableSocket(0);
    if (!socket) return false;
    socket.send(encodeMessage(message));
    return true;
  }

  private writableSocket(extraBytes: number): SocketLike | null {
    if (this.state.kind !== 'connected' || !this.socket) return null;
    if (this.socket.bufferedAmount + extraBytes > MAX_QUEUED_SEND_BYTES) return null;
    return this.socket;
  }

  private connect(): void {
    this.cancelRetry();
    const url = this.options.url(this.options.resumeOffset());
    this.setState({ kind: 'connecting', attempt: this.failures });
    let socket: SocketLike | null = null;
    const isCurrent = (): boolean => socket !== null && this.socket === socket;
    socket = this.options.createSocket(url, {
      onText: (text) => {
        if (!isCurrent()) return;
        const decoded = decodeServerMessage(text);
        if (!decoded.ok) {
          this.options.events.onBadFrame(decoded.error);
          return;
        }
        if (decoded.message.type === 'hello') {
          this.failures = 0;
          this.setState({ kind: 'connected' });
        }
        this.options.events.onMessage(decoded.message);
      },
      onBinary: (bytes) => {
        if (isCurrent()) this.options.events.onBytes(bytes);
      },
      onClose: (code, reason) => {
        if (!isCurrent()) return;
        this.socket = null;
        this.afterClose(code, reason);
      },
    });
    this.socket = socket;
  }

  private afterClose(code: number, reason: string): void {
    if (code === CloseCode.policyViolation) {
      this.setState({ kind: 'unauthorized', reason });
      return;
    }
    const busy = code === CloseCode.tryAgainLater;
    const delayMs = reconnectDelayMs(this.failures, this.options.random, busy ? BUSY_RETRY_MIN_MS : 0);
    const attempt = this.failures;
    this.failures += 1;
    this.retryTimer = this.options.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delayMs);
    this.setState({ kind: 'retrying', atMs: this.options.timers.now() + delayMs, reason: busy ? 'busy' : 'lost', attempt });
  }

  private dropSocket(code: number, reason: string): void {
    this.cancelRetry();
    const socket = this.socket;
    this.socket = null; // its close event is now stale and ignored
    socket?.close(code, reason);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) this.options.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.options.events.onState(state);
  }
}
