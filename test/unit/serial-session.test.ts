import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeviceState, DeviceStatus } from '../../server/wire/protocol.js';
import type { FromWorker, SerialOptions, WireError } from '../../server/serial/messages.js';
import {
  PortError,
  type OpenPort,
  type PortEvents,
  type PortOpener,
  type PortSignals,
} from '../../server/serial/devices/port.js';
import { READ_PAUSE_BYTES, READ_RESUME_BYTES, REOPEN_POLL_MS, SerialSession } from '../../server/serial/session.js';
import { WRITE_QUEUE_MAX_BYTES } from '../../server/serial/write-queue.js';

const OPTIONS: SerialOptions = { path: '/dev/ttyFAKE0', baudRate: 115200, dtr: true, rts: true, charDelayMs: 0, lineDelayMs: 0 };
const bytes = (s: string) => new TextEncoder().encode(s);

class FakePort implements OpenPort {
  writes: string[] = [];
  signals: PortSignals[] = [];
  bauds: number[] = [];
  closed = false;
  paused = false;
  refuseSignals = false;
  /** When set, writes wait for this promise (a device that is slow to take bytes). */
  stall: Promise<void> | undefined;
  constructor(readonly events: PortEvents) {}
  async write(data: Uint8Array) {
    if (this.closed) throw new PortError('closed', { code: 'EBADF' });
    await this.stall;
    this.writes.push(new TextDecoder().decode(data));
  }
  async setBaudRate(baudRate: number) {
    if (baudRate === 12345) throw new PortError('Invalid argument, cannot set baud', { code: 'EINVAL' });
    this.bauds.push(baudRate);
  }
  async setSignals(signals: PortSignals) {
    if (this.refuseSignals) throw new PortError('Inappropriate ioctl for device, cannot set', { code: 'ENOTTY' });
    this.signals.push({ ...signals });
  }
  pauseReading() {
    this.paused = true;
  }
  resumeReading() {
    this.paused = false;
  }
  async close() {
    this.closed = true;
  }
}

class FakeOpener implements PortOpener {
  ports: FakePort[] = [];
  /** Errors the next open() calls throw, in order; empty → the open succeeds. */
  failures: WireError[] = [];
  refuseSignals = false;
  gate: Promise<void> | undefined;
  async open(_request: { path: string; baudRate: number }, events: PortEvents) {
    await this.gate;
    const failure = this.failures.shift();
    if (failure) throw new PortError(failure.message, failure.code ? { code: failure.code } : {});
    const port = new FakePort(events);
    port.refuseSignals = this.refuseSignals;
    this.ports.push(port);
    return port;
  }
  get last(): FakePort {
    const port = this.ports.at(-1);
    if (!port) throw new Error('no port opened');
    return port;
  }
}

/** Records what the session sends; next() awaits the next message (after the last one taken) that matches. */
class Host {
  messages: FromWorker[] = [];
  private taken = 0;
  private wake: (() => void) | undefined;
  constructor(readonly opener: PortOpener) {}
  send = (message: FromWorker) => {
    this.messages.push(message);
    this.wake?.();
  };
  async next<T extends FromWorker>(match: (m: FromWorker) => m is T): Promise<T> {
    for (;;) {
      while (this.taken < this.messages.length) {
        const message = this.messages[this.taken++] as FromWorker;
        if (match(message)) return message;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
  status(state: DeviceState): Promise<{ type: 'status'; status: DeviceStatus }> {
    return this.next((m): m is { type: 'status'; status: DeviceStatus } => m.type === 'status' && m.status.state === state);
  }
  error(): Promise<{ type: 'error'; error: WireError }> {
    return this.next((m): m is { type: 'error'; error: WireError } => m.type === 'error');
  }
  data(): Promise<{ type: 'data'; data: Uint8Array }> {
    return this.next((m): m is { type: 'data'; data: Uint8Array } => m.type === 'data');
  }
}

function setup(options: Partial<SerialOptions> = {}, opener = new FakeOpener()) {
  const host = new Host(opener);
  const session = new SerialSession({ ...OPTIONS, ...options }, host);
  sessions.push(session);
  return { host, session, opener };
}
const sessions: SerialSession[] = [];

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

describe('SerialSession', () => {
  it('opens the device, asserts the configured lines, and reports open', async () => {
    const { host, session, opener } = setup({ dtr: false });
    session.start();
    expect((await host.status('opening')).status.path).toBe(OPTIONS.path);
    const { status } = await host.status('open');
    expect(opener.last.signals).toEqual([{ dtr: false, rts: true }]);
    expect(status).toMatchObject({ dtr: false, rts: true, baudRate: 115200 });
  });

  it('forwards the reads of one callback coalesced into one fresh array', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    opener.last.events.data(bytes('hel'));
    opener.last.events.data(bytes('lo'));
    const { data } = await host.data();
    expect(new TextDecoder().decode(data)).toBe('hello');
    expect(data.buffer.byteLength).toBe(data.byteLength);
  });

  it('pauses reading while the main thread has not consumed READ_PAUSE_BYTES, and resumes as it catches up', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    const port = opener.last;
    const chunk = new Uint8Array(READ_PAUSE_BYTES / 4);
    for (let i = 0; i < 3; i++) {
      port.events.data(chunk);
      await host.data();
    }
    expect(port.paused).toBe(false);
    port.events.data(chunk);
    await host.data();
    expect(port.paused).toBe(true); // nothing is dropped: the device's buffer holds what comes next
    session.handle({ type: 'consumed', bytes: READ_PAUSE_BYTES - READ_RESUME_BYTES - 1 });
    expect(port.paused).toBe(true);
    session.handle({ type: 'consumed', bytes: 1 });
    expect(port.paused).toBe(false);
  });

  it('writes in arrival order through the queue', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'write', data: bytes('a') });
    session.handle({ type: 'write', data: bytes('b') });
    await vi.waitFor(() => expect(opener.last.writes).toEqual(['a', 'b']));
  });

  it('refuses a write while the device is not open, saying so', async () => {
    const opener = new FakeOpener();
    opener.failures.push({ message: 'No such file or directory, cannot open', code: 'ENOENT' });
    const { host, session } = setup({}, opener);
    session.start();
    await host.status('waiting');
    session.handle({ type: 'write', data: bytes('lost?') });
    const { error } = await host.error();
    expect(error).toMatchObject({ code: 'not-open' });
    expect(error.message).toContain('5 bytes not sent');
  });

  it('waits for a missing device and opens it when a later poll finds it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const opener = new FakeOpener();
    opener.failures.push({ message: 'No such file or directory', code: 'ENOENT' });
    const { host, session } = setup({}, opener);
    session.start();
    const { status } = await host.status('waiting');
    expect(status.message).toBe(`waiting for ${OPTIONS.path}: device not present`);
    await vi.advanceTimersByTimeAsync(REOPEN_POLL_MS);
    await host.status('open');
    expect(opener.ports).toHaveLength(1);
  });

  it('tells a user without permission to join the dialout group', async () => {
    const opener = new FakeOpener();
    opener.failures.push({ message: 'Permission denied, cannot open', code: 'EACCES' });
    const { host, session } = setup({}, opener);
    session.start();
    const { status } = await host.status('waiting');
    expect(status.message).toContain('dialout');
  });

  it('goes to waiting when the device is unplugged, reports unsent bytes, and reopens it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    const first = opener.last;
    first.stall = new Promise(() => undefined);
    session.handle({ type: 'write', data: bytes('12345') });
    session.handle({ type: 'write', data: bytes('678') });
    first.events.data(bytes('partial li')); // mid-line: these bytes must still arrive
    await vi.advanceTimersByTimeAsync(0);
    first.events.end({ message: 'device closed the connection', code: 'EOF', disconnected: true });
    const { data } = await host.data();
    expect(new TextDecoder().decode(data)).toBe('partial li');
    const { error } = await host.error();
    expect(error.message).toBe('device went away (device closed the connection): 8 queued bytes not sent');
    const { status } = await host.status('waiting');
    expect(status.message).toContain('disconnected');
    expect(status.dtr).toBeNull();
    expect(first.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(REOPEN_POLL_MS);
    await host.status('open');
    expect(opener.ports).toHaveLength(2);
  });

  it('changes the baud rate while open, and reports a refused one without changing state', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'set-baud', baudRate: 9600 });
    const { status } = await host.next((m): m is { type: 'status'; status: DeviceStatus } => m.type === 'status' && m.status.baudRate === 9600);
    expect(status.state).toBe('open');
    expect(opener.last.bauds).toEqual([9600]);
    session.handle({ type: 'set-baud', baudRate: 12345 });
    expect((await host.error()).error.message).toContain('cannot set 12345 baud');
    session.handle({ type: 'set-baud', baudRate: -1 });
    expect((await host.error()).error.code).toBe('EINVAL');
    expect(session.status.baudRate).toBe(9600);
  });

  it('pulses DTR and RTS low for pulseMs, then asserts them (the Arduino reset)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host, session, opener } = setup({ dtr: false, rts: false });
    session.start();
    await host.status('open');
    const port = opener.last;
    session.handle({ type: 'set-signals', pulseMs: 100 });
    // (vi.waitFor would advance the fake clock itself; advancing by 0 only settles promises.)
    await vi.advanceTimersByTimeAsync(0);
    expect(port.signals).toEqual([{ dtr: false, rts: false }, { dtr: false, rts: false }]);
    await vi.advanceTimersByTimeAsync(99);
    expect(port.signals).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(port.signals[2]).toEqual({ dtr: true, rts: true });
    expect(session.status).toMatchObject({ dtr: true, rts: true });
  });

  it('sets one line and keeps the other', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'set-signals', dtr: false });
    await vi.waitFor(() => expect(opener.last.signals.at(-1)).toEqual({ dtr: false, rts: true }));
  });

  it('reports a device that refuses DTR/RTS (a pty) and stays open without them', async () => {
    const opener = new FakeOpener();
    opener.refuseSignals = true;
    const { host, session } = setup({}, opener);
    session.start();
    const { error } = await host.error();
    expect(error).toMatchObject({ code: 'ENOTTY' });
    expect(error.message).toContain('refused DTR/RTS');
    const { status } = await host.status('open');
    expect(status).toMatchObject({ dtr: null, rts: null });
    session.handle({ type: 'write', data: bytes('still works') });
    await vi.waitFor(() => expect(opener.last.writes).toEqual(['still works']));
  });

  it('refuses a write that would overflow the queue instead of buffering without bound', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    opener.last.stall = new Promise(() => undefined);
    session.handle({ type: 'write', data: new Uint8Array(WRITE_QUEUE_MAX_BYTES) });
    session.handle({ type: 'write', data: new Uint8Array(1) });
    expect((await host.error()).error).toMatchObject({ code: 'write-queue-full' });
  });

  it('updates pacing and reports it in the status', async () => {
    const { host, session } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'set-pacing', charDelayMs: 2, lineDelayMs: 30 });
    const { status } = await host.next((m): m is { type: 'status'; status: DeviceStatus } => m.type === 'status' && m.status.lineDelayMs === 30);
    expect(status.charDelayMs).toBe(2);
  });

  it('reopens the device on an open message', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'open' });
    await host.status('opening');
    await host.status('open');
    expect(opener.ports.map((p) => p.closed)).toEqual([true, false]);
  });

  it('closes on a close message: port closed, status closed, then closed, and no more reopening', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const opener = new FakeOpener();
    opener.failures.push({ message: 'No such file or directory', code: 'ENOENT' });
    const { host, session } = setup({}, opener);
    session.start();
    await host.status('waiting');
    session.handle({ type: 'close' });
    await host.status('closed');
    await host.next((m): m is { type: 'closed' } => m.type === 'closed');
    await vi.advanceTimersByTimeAsync(REOPEN_POLL_MS * 4);
    expect(opener.ports).toHaveLength(0);
  });

  it('closes a port whose open completes only after close', async () => {
    const opener = new FakeOpener();
    let release = () => undefined as void;
    opener.gate = new Promise<void>((resolve) => (release = resolve));
    const { host, session } = setup({}, opener);
    session.start();
    const closing = session.close();
    release();
    await closing;
    await host.status('closed');
    expect(opener.last.closed).toBe(true);
    expect(host.messages.some((m) => m.type === 'status' && m.status.state === 'open')).toBe(false);
  });
});
