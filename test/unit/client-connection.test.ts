import { describe, expect, it } from 'vitest';
import { CloseCode, encodeMessage, MAX_WRITE_FRAME_BYTES, PROTOCOL_VERSION, type DeviceStatus, type ServerMessage } from '../../server/wire/protocol.js';
import { Connection, MAX_QUEUED_SEND_BYTES, type ConnectionState, type SocketHandlers } from '../../client/connection/connection.js';
import { manualTimers } from './client-fakes.js';

const device: DeviceStatus = {
  state: 'open',
  path: 'demo',
  baudRate: 115200,
  dtr: null,
  rts: null,
  charDelayMs: 0,
  lineDelayMs: 0,
};
const hello = (offset: number): string =>
  encodeMessage({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    port: 'demo',
    stream: 's1',
    offset,
    mode: 'live',
    readOnly: false,
    device,
    capture: { state: 'capturing', start: 0, startTimeMs: null, bytesOnDisk: 0 },
    clients: 1,
  });

/** A socket the test drives by hand: it records what was sent and plays the server's side through `handlers`. */
class FakeSocket {
  sent: Array<string | Uint8Array> = [];
  closed: { code?: number; reason?: string } | null = null;
  bufferedAmount = 0;
  constructor(
    readonly url: string,
    readonly handlers: SocketHandlers,
  ) {}
  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
  }
}

const setup = (resume: { offset: number | null } = { offset: null }) => {
  const timers = manualTimers();
  const sockets: FakeSocket[] = [];
  const states: ConnectionState[] = [];
  const messages: ServerMessage[] = [];
  const bytes: number[][] = [];
  const badFrames: string[] = [];
  const connection = new Connection({
    url: (offset) => (offset === null ? 'ws://h/ws' : `ws://h/ws?offset=${offset}`),
    resumeOffset: () => resume.offset,
    createSocket: (url, handlers) => {
      const socket = new FakeSocket(url, handlers);
      sockets.push(socket);
      return socket;
    },
    timers,
    random: () => 0.5,
    events: {
      onState: (state) => states.push(state),
      onMessage: (message) => messages.push(message),
      onBytes: (b) => bytes.push(Array.from(b)),
      onBadFrame: (error) => badFrames.push(error),
    },
  });
  const last = (): FakeSocket => {
    const socket = sockets[sockets.length - 1];
    if (!socket) throw new Error('no socket opened');
    return socket;
  };
  return { timers, sockets, states, messages, bytes, badFrames, connection, last, resume };
};

describe('Connection', () => {
  it('is connected after hello, and passes messages and bytes through in order', () => {
    const { connection, last, states, messages, bytes } = setup();
    connection.start();
    expect(last().url).toBe('ws://h/ws');
    expect(connection.current().kind).toBe('connecting');
    last().handlers.onText(hello(0));
    last().handlers.onBinary(Uint8Array.of(1, 2));
    expect(states.map((s) => s.kind)).toEqual(['connecting', 'connected']);
    expect(messages.map((m) => m.type)).toEqual(['hello']);
    expect(bytes).toEqual([[1, 2]]);
  });

  it('refuses to send before hello, and sends bytes and control messages after', () => {
    const { connection, last } = setup();
    connection.start();
    expect(connection.sendBytes(Uint8Array.of(0x03))).toBe(false);
    expect(connection.sendMessage({ type: 'reset' })).toBe(false);
    last().handlers.onText(hello(0));
    expect(connection.sendBytes(Uint8Array.of(0x03))).toBe(true);
    expect(connection.sendMessage({ type: 'ack', offset: 5 })).toBe(true);
    expect(last().sent).toEqual([Uint8Array.of(0x03), '{"type":"ack","offset":5}']);
  });

  it('splits a paste larger than the frame limit, and refuses one the send buffer cannot take', () => {
    const { connection, last } = setup();
    connection.start();
    last().handlers.onText(hello(0));
    expect(connection.sendBytes(new Uint8Array(MAX_WRITE_FRAME_BYTES + 1))).toBe(true);
    expect(last().sent.map((f) => (f as Uint8Array).length)).toEqual([MAX_WRITE_FRAME_BYTES, 1]);
    last().bufferedAmount = MAX_QUEUED_SEND_BYTES;
    expect(connection.sendBytes(Uint8Array.of(1))).toBe(false);
  });

  it('reconnects after a drop with growing delays, resuming from the tracked offset', () => {
    const { connection, last, sockets, timers, states, resume } = setup();
    connection.start();
    last().handlers.onText(hello(0));
    resume.offset = 1234;
    last().handlers.onClose(1006, '');
    expect(states[states.length - 1]).toMatchObject({ kind: 'retrying', reason: 'lost', atMs: 500 });
    timers.advance(499);
    expect(sockets).toHaveLength(1);
    timers.advance(1);
    expect(sockets).toHaveLength(2);
    expect(last().url).toBe('ws://h/ws?offset=1234');
    last().handlers.onClose(1006, ''); // the server is still down
    expect(states[states.length - 1]).toMatchObject({ kind: 'retrying', atMs: 500 + 1000 });
    timers.advance(1000);
    last().handlers.onText(hello(1234));
    last().handlers.onClose(CloseCode.goingAway, 'server shutting down');
    // A successful hello resets the backoff.
    expect(states[states.length - 1]).toMatchObject({ kind: 'retrying', atMs: timers.now() + 500 });
  });

  it('does not reconnect after a policy refusal (1008) until asked', () => {
    const { connection, last, sockets, timers, states } = setup();
    connection.start();
    last().handlers.onClose(CloseCode.policyViolation, 'token required');
    expect(states[states.length - 1]).toEqual({ kind: 'unauthorized', reason: 'token required' });
    timers.advance(60_000);
    expect(sockets).toHaveLength(1);
    connection.reconnectNow();
    expect(sockets).toHaveLength(2);
  });

  it('waits longer when the server is full (1013)', () => {
    const { connection, last, timers, sockets, states } = setup();
    connection.start();
    last().handlers.onClose(CloseCode.tryAgainLater, 'too many clients');
    expect(states[states.length - 1]).toMatchObject({ kind: 'retrying', reason: 'busy', atMs: 5000 });
    timers.advance(4999);
    expect(sockets).toHaveLength(1);
    timers.advance(1);
    expect(sockets).toHaveLength(2);
  });

  it('reconnectNow drops the socket at once and ignores its late events', () => {
    const { connection, sockets, timers, messages, states } = setup();
    connection.start();
    const first = sockets[0]!;
    first.handlers.onText(hello(0));
    connection.reconnectNow();
    expect(first.closed).toEqual({ code: 1000, reason: 'reconnect requested' });
    expect(sockets).toHaveLength(2);
    const before = states.length;
    first.handlers.onText(hello(99));
    first.handlers.onClose(1000, '');
    expect(messages).toHaveLength(1);
    expect(states).toHaveLength(before);
    timers.advance(60_000);
    expect(sockets).toHaveLength(2);
  });

  it('reports malformed text frames without dropping the connection', () => {
    const { connection, last, badFrames, states } = setup();
    connection.start();
    last().handlers.onText(hello(0));
    last().handlers.onText('{"type":"mystery"}');
    last().handlers.onText('not json');
    expect(badFrames).toHaveLength(2);
    expect(states[states.length - 1]?.kind).toBe('connected');
  });

  it('stop closes the socket and cancels a pending retry', () => {
    const { connection, last, sockets, timers } = setup();
    connection.start();
    last().handlers.onClose(1006, '');
    connection.stop();
    timers.advance(60_000);
    expect(sockets).toHaveLength(1);
    expect(connection.current().kind).toBe('stopped');
  });
});
