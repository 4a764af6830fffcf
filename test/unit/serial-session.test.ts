import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeviceState, DeviceStatus } from '../../server/wire/protocol.js';
import type { CommandResult, FromWorker, SerialOptions, WireError } from '../../server/serial/messages.js';
import type { PortInfo } from '../../server/serial/devices/list-ports.js';
import {
  PortError,
  type OpenPort,
  type OpenRequest,
  type PortEvents,
  type PortOpener,
  type PortSignals,
} from '../../server/serial/devices/port.js';
import {
  clockTime,
  READ_PAUSE_BYTES,
  READ_RESUME_BYTES,
  REOPEN_POLL_MS,
  RESET_ASSERT_MS,
  SerialSession,
  WRITE_ANSWER_DELAY_MS,
} from '../../server/serial/session.js';
import type { Framing } from '../../server/wire/limits.js';
import { WRITE_QUEUE_MAX_BYTES } from '../../server/serial/write-queue.js';

const OPTIONS: SerialOptions = { path: '/dev/ttyFAKE0', baudRate: 115200, dtr: true, rts: true, charDelayMs: 0, lineDelayMs: 0 };
const bytes = (s: string) => new TextEncoder().encode(s);

class FakePort implements OpenPort {
  /** Writes begun (recorded synchronously, as a real port's first write() attempt is). */
  started: string[] = [];
  /** Writes the device took whole. */
  writes: string[] = [];
  signals: PortSignals[] = [];
  bauds: number[] = [];
  framings: Framing[] = [];
  /** Breaks begun and ended, in order (true: begun). */
  breaks: boolean[] = [];
  /** What the driver keeps whatever it is asked (a pty keeps 8 data bits and no parity). */
  keeps: Partial<Framing> = {};
  noModemLines = false;
  closed = false;
  paused = false;
  refuseSignals = false;
  /** When set, writes wait for this promise (a device that is slow to take bytes); close() cuts them short. */
  stall: Promise<void> | undefined;
  /** How many bytes a write cut short by close() had got through. */
  partialOnClose = 0;
  private readonly cancels: Array<() => void> = [];
  constructor(readonly events: PortEvents) {}
  async write(data: Uint8Array) {
    if (this.closed) throw new PortError('closed', { code: 'EBADF' });
    this.started.push(new TextDecoder().decode(data));
    const stall = this.stall;
    if (stall) {
      await new Promise<void>((resolve, reject) => {
        void stall.then(resolve);
        this.cancels.push(() => reject(new PortError('port is closed', { code: 'EBADF', written: this.partialOnClose })));
      });
    }
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
  async setFraming(framing: Framing) {
    if (this.closed) throw new PortError('closed', { code: 'EBADF' });
    this.framings.push({ ...framing });
    return { ...framing, ...this.keeps };
  }
  async setBreak(on: boolean) {
    if (this.closed) throw new PortError('closed', { code: 'EBADF' });
    this.breaks.push(on);
  }
  pauseReading() {
    this.paused = true;
  }
  resumeReading() {
    this.paused = false;
  }
  async close() {
    this.closed = true;
    for (const cancel of this.cancels.splice(0)) cancel();
  }
}

class FakeOpener implements PortOpener {
  ports: FakePort[] = [];
  /** Errors the next open() calls throw, in order; empty → the open succeeds. */
  failures: WireError[] = [];
  refuseSignals = false;
  /** Open ports as pseudo-terminals (no modem lines). */
  pty = false;
  gate: Promise<void> | undefined;
  paths: string[] = [];
  requests: OpenRequest[] = [];
  async open(request: OpenRequest, events: PortEvents) {
    await this.gate;
    this.paths.push(request.path);
    this.requests.push(request);
    const failure = this.failures.shift();
    if (failure) throw new PortError(failure.message, failure.code ? { code: failure.code } : {});
    const port = new FakePort(events);
    port.refuseSignals = this.refuseSignals;
    port.noModemLines = this.pty;
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
  listPorts?: () => Promise<PortInfo[]>;
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
  data(): Promise<{ type: 'data'; data: Uint8Array; timeMs: number }> {
    return this.next((m): m is { type: 'data'; data: Uint8Array; timeMs: number } => m.type === 'data');
  }
  /** The result for `id` (from any message, taken or not). */
  async result(id: number): Promise<CommandResult> {
    for (;;) {
      const found = this.messages.find((m): m is CommandResult => m.type === 'result' && m.id === id);
      if (found) return found;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
  results(id: number): CommandResult[] {
    return this.messages.filter((m): m is CommandResult => m.type === 'result' && m.id === id);
  }
  errors(): WireError[] {
    return this.messages.flatMap((m) => (m.type === 'error' ? [m.error] : []));
  }
}

function setup(options: Partial<SerialOptions> = {}, opener = new FakeOpener(), listPorts?: () => Promise<PortInfo[]>) {
  const host = new Host(opener);
  if (listPorts) host.listPorts = listPorts;
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

  it('pulses DTR and RTS low for pulseMs, then asserts them (the Arduino reset), then restores the configured lines', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host, session, opener } = setup({ dtr: false, rts: false });
    session.start();
    await host.status('open');
    const port = opener.last;
    session.handle({ type: 'set-signals', pulseMs: 100, id: 1 });
    // (vi.waitFor would advance the fake clock itself; advancing by 0 only settles promises.)
    await vi.advanceTimersByTimeAsync(0);
    expect(port.signals).toEqual([{ dtr: false, rts: false }, { dtr: false, rts: false }]);
    await vi.advanceTimersByTimeAsync(99);
    expect(port.signals).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(port.signals[2]).toEqual({ dtr: true, rts: true });
    await vi.advanceTimersByTimeAsync(RESET_ASSERT_MS);
    // Under --no-dtr --no-rts the lines go back down: the reset was the edge, not a new setting.
    expect(port.signals[3]).toEqual({ dtr: false, rts: false });
    expect(await host.result(1)).toMatchObject({ ok: true });
    expect(session.status).toMatchObject({ dtr: false, rts: false, signals: 'available' });
  });

  it('after a reset pulse with the lines asserted by default, leaves them asserted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'set-signals', pulseMs: 10, id: 1 });
    await vi.advanceTimersByTimeAsync(10);
    expect(await host.result(1)).toMatchObject({ ok: true });
    expect(opener.last.signals).toEqual([
      { dtr: true, rts: true },
      { dtr: false, rts: false },
      { dtr: true, rts: true },
    ]);
  });

  it('sets one line and keeps the other', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'set-signals', dtr: false });
    await vi.waitFor(() => expect(opener.last.signals.at(-1)).toEqual({ dtr: false, rts: true }));
  });

  it('a device that refuses DTR/RTS stays open without them, said quietly in the status (no error), once per port', async () => {
    const opener = new FakeOpener();
    opener.refuseSignals = true;
    const { host, session } = setup({}, opener);
    session.start();
    const { status } = await host.status('open');
    expect(status).toMatchObject({ dtr: null, rts: null, signals: 'unsupported' });
    expect(status.message).toBeUndefined();
    session.handle({ type: 'open', id: 1 });
    expect(await host.result(1)).toMatchObject({ ok: true });
    expect(host.errors()).toEqual([]);
    session.handle({ type: 'write', data: bytes('still works') });
    await vi.waitFor(() => expect(opener.last.writes).toEqual(['still works']));
  });

  it('never tries the modem lines of a pseudo-terminal, even with dtr and rts off', async () => {
    const opener = new FakeOpener();
    opener.pty = true;
    const { host, session } = setup({ dtr: false, rts: false }, opener);
    session.start();
    expect((await host.status('open')).status).toMatchObject({ dtr: null, rts: null, signals: 'unsupported' });
    expect(opener.last.signals).toEqual([]);
    session.handle({ type: 'send-break', ms: 10, id: 1 });
    expect(await host.result(1)).toMatchObject({ ok: false, error: { code: 'ENOTTY', message: expect.stringContaining('cannot send a break') } });
    expect(opener.last.breaks).toEqual([]);
    expect(host.errors()).toEqual([]);
  });

  it('opens with HUPCL cleared when DTR is not wanted (closing then leaves DTR alone), set otherwise', async () => {
    const a = setup({ dtr: false });
    a.session.start();
    await a.host.status('open');
    expect(a.opener.requests[0]).toMatchObject({ hupcl: false });
    const b = setup();
    b.session.start();
    await b.host.status('open');
    expect(b.opener.requests[0]).toMatchObject({ hupcl: true });
  });

  it('opens with the configured framing, shows it in the status, and changes it while open', async () => {
    const { host, session, opener } = setup({ baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 2 });
    session.start();
    const { status } = await host.status('open');
    expect(opener.requests[0]?.framing).toEqual({ dataBits: 7, parity: 'even', stopBits: 2, flow: 'none' });
    expect(status).toMatchObject({ dataBits: 7, parity: 'even', stopBits: 2, flow: 'none', framing: '9600 7E2' });
    session.handle({ type: 'set-framing', parity: 'mark', flow: 'hard', id: 1 });
    expect(await host.result(1)).toEqual({ type: 'result', id: 1, ok: true });
    expect(opener.last.framings).toEqual([{ dataBits: 7, parity: 'mark', stopBits: 2, flow: 'hard' }]);
    expect(session.status).toMatchObject({ parity: 'mark', flow: 'hard', framing: '9600 7M2 RTS/CTS', state: 'open' });
    // Kept for the next open.
    session.handle({ type: 'open', id: 2 });
    expect(await host.result(2)).toMatchObject({ ok: true });
    expect(opener.requests[1]?.framing).toEqual({ dataBits: 7, parity: 'mark', stopBits: 2, flow: 'hard' });
    session.handle({ type: 'set-framing', dataBits: 9 as 8, id: 3 });
    expect(await host.result(3)).toMatchObject({ ok: false, error: { code: 'EINVAL', message: 'bad framing: must be 5, 6, 7 or 8, got 9' } });
  });

  it('says what the driver kept when it ignores part of a framing (a pty keeps 8 bits, no parity)', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    opener.last.keeps = { dataBits: 8, parity: 'none' };
    session.handle({ type: 'set-framing', dataBits: 7, parity: 'odd', stopBits: 2, id: 1 });
    const result = await host.result(1);
    expect(result).toMatchObject({ ok: false, error: { code: 'ENOTSUP' } });
    expect(!result.ok && result.error.message).toContain('kept 8 data bits, parity none');
    // The status shows what is in force, not what was asked.
    expect(session.status).toMatchObject({ dataBits: 8, parity: 'none', stopBits: 2, framing: '115200 8N2' });
    expect(session.status.message).toContain('kept 8 data bits, parity none');
  });

  it('sends a break: the line held for ms, then let go', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'send-break', ms: 250, id: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(opener.last.breaks).toEqual([true]);
    await vi.advanceTimersByTimeAsync(249);
    expect(opener.last.breaks).toEqual([true]);
    await vi.advanceTimersByTimeAsync(1);
    expect(opener.last.breaks).toEqual([true, false]);
    expect(await host.result(1)).toEqual({ type: 'result', id: 1, ok: true });
  });

  it('releases the device for flashing, refuses writes meanwhile, and reopens when the time is up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date(2025, 0, 1, 12, 0, 0));
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    const first = opener.last;
    session.handle({ type: 'release', forMs: 60_000, id: 1 });
    const { status } = await host.status('released');
    expect(first.closed).toBe(true);
    const untilMs = new Date(2025, 0, 1, 12, 1, 0).getTime();
    expect(status).toMatchObject({ releasedUntilMs: untilMs, message: `released for flashing until ${clockTime(untilMs)}`, dtr: null });
    expect(clockTime(untilMs)).toBe('12:01:00');
    expect(await host.result(1)).toEqual({ type: 'result', id: 1, ok: true });
    session.handle({ type: 'write', data: bytes('hello'), id: 2 });
    expect(await host.result(2)).toMatchObject({ ok: false, written: 0, error: { code: 'not-open', message: expect.stringContaining('released for flashing until 12:01:00') } });
    // Nothing is opened while released, though a missing device is normally polled every REOPEN_POLL_MS.
    await vi.advanceTimersByTimeAsync(59_999);
    expect(opener.ports).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const { status: reopened } = await host.status('open');
    expect(opener.ports).toHaveLength(2);
    expect(reopened.releasedUntilMs).toBeUndefined();
    session.handle({ type: 'write', data: bytes('again'), id: 3 });
    await vi.advanceTimersByTimeAsync(WRITE_ANSWER_DELAY_MS); // a write's answer is held that long
    expect(await host.result(3)).toMatchObject({ ok: true, written: 5 });
  });

  it('reclaim ends a release at once; after the time, a device still missing is waited for as after an unplug', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'release', forMs: 10_000, id: 1 });
    await host.status('released');
    session.handle({ type: 'reclaim', id: 2 });
    expect(await host.result(2)).toEqual({ type: 'result', id: 2, ok: true });
    expect(session.status.state).toBe('open');
    expect(opener.ports).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000); // the old release's timer is gone
    expect(opener.ports).toHaveLength(2);
    session.handle({ type: 'reclaim', id: 3 }); // not released: nothing to do
    expect(await host.result(3)).toEqual({ type: 'result', id: 3, ok: true });

    // The upload's reset re-enumerates the board: when the time is up it is not there yet.
    session.handle({ type: 'release', forMs: 1000, id: 4 });
    await host.status('released');
    opener.failures.push({ message: 'No such file or directory', code: 'ENOENT' });
    await vi.advanceTimersByTimeAsync(1000);
    await host.status('waiting');
    await vi.advanceTimersByTimeAsync(REOPEN_POLL_MS);
    await host.status('open');
    expect(opener.ports).toHaveLength(3);
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

describe('SerialSession command results', () => {
  it('answers a write with an id once every byte reached the device, and nothing for a write without one', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'write', data: bytes('abc'), id: 1 });
    session.handle({ type: 'write', data: bytes('de') });
    expect(await host.result(1)).toEqual({ type: 'result', id: 1, ok: true, written: 3 });
    await vi.waitFor(() => expect(opener.last.writes).toEqual(['abc', 'de']));
    expect(host.messages.filter((m) => m.type === 'result')).toHaveLength(1);
  });

  it('hands a keystroke to the port within handle() when nothing is ahead of it', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'write', data: bytes('k'), id: 1 });
    expect(opener.last.started).toEqual(['k']);
  });

  it("holds a write's answer at most WRITE_ANSWER_DELAY_MS, and sends it ahead of anything that follows (the echo)", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'write', data: bytes('G28\n'), id: 5 });
    expect(opener.last.writes).toEqual(['G28\n']); // written at once: only the answer waits
    await vi.advanceTimersByTimeAsync(0);
    expect(host.results(5)).toEqual([]);
    opener.last.events.data(bytes('ok\n')); // the echo
    await host.data();
    const kinds = host.messages.filter((m) => m.type === 'result' || m.type === 'data').map((m) => m.type);
    expect(kinds.slice(-2)).toEqual(['result', 'data']);
    session.handle({ type: 'write', data: bytes('M114\n'), id: 6 });
    expect(host.results(6)).toEqual([]);
    await vi.advanceTimersByTimeAsync(WRITE_ANSWER_DELAY_MS);
    expect(host.results(6)).toEqual([{ type: 'result', id: 6, ok: true, written: 5 }]);
  });

  it('keeps a write behind a control operation still in progress', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'set-signals', pulseMs: 100, id: 1 });
    session.handle({ type: 'write', data: bytes('after reset'), id: 2 });
    await vi.advanceTimersByTimeAsync(50);
    expect(opener.last.started).toEqual([]);
    await vi.advanceTimersByTimeAsync(50);
    expect(await host.result(1)).toMatchObject({ ok: true });
    await vi.advanceTimersByTimeAsync(WRITE_ANSWER_DELAY_MS); // a write's answer is held that long
    expect(await host.result(2)).toMatchObject({ ok: true, written: 11 });
    expect(opener.last.writes).toEqual(['after reset']);
  });

  it('refuses a write while not open only to its sender: a result, no broadcast error', async () => {
    const opener = new FakeOpener();
    opener.failures.push({ message: 'No such file or directory', code: 'ENOENT' });
    const { host, session } = setup({}, opener);
    session.start();
    await host.status('waiting');
    session.handle({ type: 'write', data: bytes('lost?'), id: 9 });
    const result = await host.result(9);
    expect(result).toMatchObject({ ok: false, written: 0, error: { code: 'not-open' } });
    expect(host.errors()).toEqual([]);
  });

  it('refuses a write past the queue bound only to its sender, and takes the next that fits', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    opener.last.stall = new Promise(() => undefined);
    session.handle({ type: 'write', data: new Uint8Array(WRITE_QUEUE_MAX_BYTES - 1), id: 1 });
    session.handle({ type: 'write', data: new Uint8Array(2), id: 2 });
    session.handle({ type: 'write', data: new Uint8Array(1), id: 3 });
    expect(await host.result(2)).toMatchObject({ ok: false, written: 0, error: { code: 'write-queue-full' } });
    expect(host.results(1)).toEqual([]);
    expect(host.results(3)).toEqual([]); // accepted: it will be answered when written
    expect(host.errors()).toEqual([]);
  });

  it('unplugged mid-write: each id hears the disconnect with how many of its bytes got through, once', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    const port = opener.last;
    port.stall = new Promise(() => undefined);
    port.partialOnClose = 2;
    session.handle({ type: 'write', data: bytes('12345'), id: 1 });
    session.handle({ type: 'write', data: bytes('678'), id: 2 });
    session.handle({ type: 'write', data: bytes('9') });
    port.events.end({ message: 'Input/output error', code: 'EIO', disconnected: true });
    expect(await host.result(1)).toEqual({
      type: 'result',
      id: 1,
      ok: false,
      written: 2,
      error: { message: 'device went away (Input/output error): 3 of 5 bytes not sent', code: 'EIO', disconnected: true },
    });
    expect(await host.result(2)).toMatchObject({ ok: false, written: 0, error: { code: 'EIO' } });
    // Only the write without an id is in the broadcast.
    expect((await host.error()).error.message).toBe('device went away (Input/output error): 1 queued bytes not sent');
    await host.status('waiting');
    expect(host.results(1)).toHaveLength(1);
    expect(host.results(2)).toHaveLength(1);
  });

  it('a failed port write answers its id with the error and its count, and later writes still go', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    const port = opener.last;
    const write = port.write.bind(port);
    port.write = async (data) => {
      if (new TextDecoder().decode(data) === 'bad') throw new PortError('Broken pipe', { code: 'EPIPE', written: 1 });
      return write(data);
    };
    session.handle({ type: 'write', data: bytes('bad'), id: 1 });
    expect(await host.result(1)).toMatchObject({ ok: false, written: 1, error: { code: 'EPIPE' } });
    session.handle({ type: 'write', data: bytes('good'), id: 2 });
    expect(await host.result(2)).toMatchObject({ ok: true, written: 4 });
    expect(host.errors()).toEqual([]);
  });

  it('answers set-baud, set-pacing, set-signals and open with ok once applied', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    session.handle({ type: 'set-baud', baudRate: 9600, id: 1 });
    session.handle({ type: 'set-pacing', charDelayMs: 1, lineDelayMs: 2, id: 2 });
    session.handle({ type: 'set-signals', dtr: false, id: 3 });
    session.handle({ type: 'open', id: 4 });
    for (const id of [1, 2, 3, 4]) expect(await host.result(id)).toEqual({ type: 'result', id, ok: true });
    expect(session.status).toMatchObject({ state: 'open', baudRate: 9600, charDelayMs: 1, lineDelayMs: 2, dtr: false });
    expect(opener.ports).toHaveLength(2);
  });

  it('refuses bad settings only to the sender, with the reason', async () => {
    const opener = new FakeOpener();
    opener.refuseSignals = true; // a pty: no modem lines
    const { host, session } = setup({}, opener);
    session.start();
    await host.status('open');
    const errorsAtOpen = host.errors().length; // the open's own DTR/RTS notice is a broadcast
    session.handle({ type: 'set-baud', baudRate: -1, id: 1 });
    session.handle({ type: 'set-baud', baudRate: 12345, id: 2 });
    session.handle({ type: 'set-pacing', charDelayMs: -5, lineDelayMs: 0, id: 3 });
    session.handle({ type: 'set-signals', pulseMs: 10, id: 4 });
    expect(await host.result(1)).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    expect(await host.result(2)).toMatchObject({ ok: false, error: { message: expect.stringContaining('cannot set 12345 baud') } });
    expect(await host.result(3)).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    expect(await host.result(4)).toMatchObject({ ok: false, error: { code: 'ENOTTY' } });
    expect(host.errors()).toHaveLength(errorsAtOpen);
  });

  it('answers an open that finds no device with the reason it is waiting', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    opener.failures.push({ message: 'No such file or directory', code: 'ENOENT' });
    session.handle({ type: 'open', id: 1 });
    expect(await host.result(1)).toMatchObject({ ok: false, error: { code: 'ENOENT', message: `waiting for ${OPTIONS.path}: device not present` } });
  });

  it('answers the queued writes and any later command with closed when the port closes', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    opener.last.stall = new Promise(() => undefined);
    session.handle({ type: 'write', data: bytes('queued'), id: 1 });
    session.handle({ type: 'close' });
    session.handle({ type: 'set-baud', baudRate: 9600, id: 2 });
    expect(await host.result(1)).toMatchObject({ ok: false, written: 0, error: { code: 'closed' } });
    expect(await host.result(2)).toMatchObject({ ok: false, error: { code: 'closed' } });
    await host.next((m): m is { type: 'closed' } => m.type === 'closed');
    expect(host.errors()).toEqual([]);
  });
});

describe('SerialSession data timing', () => {
  it('stamps each batch with the wall-clock arrival time of its first byte, in order', async () => {
    const { host, session, opener } = setup();
    session.start();
    await host.status('open');
    const before = performance.timeOrigin + performance.now();
    opener.last.events.data(bytes('a'));
    const first = await host.data();
    opener.last.events.data(bytes('b'));
    const second = await host.data();
    const after = performance.timeOrigin + performance.now();
    expect(first.timeMs).toBeGreaterThanOrEqual(before);
    expect(second.timeMs).toBeGreaterThanOrEqual(first.timeMs);
    expect(second.timeMs).toBeLessThanOrEqual(after);
    expect(Math.abs(first.timeMs - Date.now())).toBeLessThan(60_000); // wall clock, not a monotonic origin
  });
});

describe('SerialSession with a USB match', () => {
  const UNO = { vendorId: '2341', productId: '0043' };
  /** A lister whose answer the test changes as boards come and go. */
  function lister(initial: PortInfo[]) {
    const state = { ports: initial, calls: 0 };
    return { state, list: async () => (state.calls++, state.ports) };
  }

  it('waits, naming the VID:PID, until the board is listed, then opens it where it is and shows that path', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { state, list } = lister([{ path: '/dev/ttyUSB0', vendorId: '1a86', productId: '7523' }]);
    const { host, session, opener } = setup({ path: 'usb:2341:0043', match: UNO }, new FakeOpener(), list);
    session.start();
    const waiting = await host.status('waiting');
    expect(waiting.status).toMatchObject({ path: 'usb:2341:0043', message: 'waiting for USB device 2341:0043: not present' });
    state.ports = [...state.ports, { path: '/dev/ttyACM0', vendorId: '2341', productId: '0043', serialNumber: '8573' }];
    await vi.advanceTimersByTimeAsync(REOPEN_POLL_MS);
    const open = await host.status('open');
    expect(open.status.path).toBe('/dev/ttyACM0');
    expect(opener.paths).toEqual(['/dev/ttyACM0']);
  });

  it('finds a board again after it re-enumerates under another name', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { state, list } = lister([{ path: '/dev/ttyACM0', vendorId: '2341', productId: '0043' }]);
    const { host, session, opener } = setup({ path: 'usb:2341:0043', match: UNO }, new FakeOpener(), list);
    session.start();
    await host.status('open');
    state.ports = [];
    opener.last.events.end({ message: 'Input/output error', code: 'EIO', disconnected: true });
    const gone = await host.status('waiting');
    expect(gone.status.path).toBe('usb:2341:0043');
    expect(gone.status.message).toContain('/dev/ttyACM0 disconnected');
    await vi.advanceTimersByTimeAsync(REOPEN_POLL_MS);
    expect((await host.status('waiting')).status.message).toBe('waiting for USB device 2341:0043: not present');
    state.ports = [{ path: '/dev/ttyACM1', vendorId: '2341', productId: '0043' }];
    await vi.advanceTimersByTimeAsync(REOPEN_POLL_MS);
    expect((await host.status('open')).status.path).toBe('/dev/ttyACM1');
    expect(opener.paths).toEqual(['/dev/ttyACM0', '/dev/ttyACM1']);
  });

  it('with a serial number, opens only that board; ids compare without case', async () => {
    const { list } = lister([
      { path: '/dev/ttyACM0', vendorId: '2341', productId: '0043', serialNumber: 'AAAA' },
      { path: '/dev/ttyACM1', vendorId: '2341', productId: '0043', serialNumber: 'BBBB' },
    ]);
    const match = { vendorId: '2341', productId: '0043', serialNumber: 'bbbb' };
    const { host, session, opener } = setup({ path: 'usb:2341:0043:bbbb', match }, new FakeOpener(), list);
    session.start();
    expect((await host.status('open')).status.path).toBe('/dev/ttyACM1');
    expect(opener.paths).toEqual(['/dev/ttyACM1']);
  });

  it('reports a lister that fails as its reason for waiting', async () => {
    const list = async (): Promise<PortInfo[]> => Promise.reject(new Error('udevadm not found'));
    const { host, session } = setup({ path: 'usb:2341:0043', match: UNO }, new FakeOpener(), list);
    session.start();
    expect((await host.status('waiting')).status.message).toBe(
      'cannot list serial ports to find USB device 2341:0043: udevadm not found',
    );
  });
});
