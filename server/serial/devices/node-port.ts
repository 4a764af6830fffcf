// A real serial device, safe to own from a worker thread. serialport's own read/write poller
// registers on the process's default loop (bindings-cpp poller.cpp, uv_default_loop()), which
// aborts the process on the first byte when used from a Worker (node-serialport #1938, #1981,
// #2250). So only bindings-cpp's one-shot async calls are used (open/update/set: async work on
// the calling thread's own loop), and the bytes move through Node's own tty stream on the
// worker's loop: it reads the fd (and ends on unplug), and it waits for room when writing.
//
// Writing: a synchronous non-blocking write() first (a keystroke reaches the device in the
// same loop turn, and the count written is exact); when the driver's buffer is full, one byte
// goes through the tty stream, whose libuv handle waits for the fd to be writable (epoll, no
// timer) without blocking the loop, then write() again. One byte, so a failed or cancelled wait
// leaves the count exact. libuv put the fd in non-blocking mode when it wrapped it (it reopens a
// tty that is not a pty master, so it never uses its blocking-write fallback here).
// Measured into a socat pty on a 2-core box: ~41 MB/s alone (a blocking write() in its own thread:
// ~50); handing libuv the whole rest instead of one byte gave ~57, but a failed write's count
// would then be unknown by up to a slice.
//
// Framing: bindings-cpp's update() changes only the baud rate, so a framing change opens one more
// descriptor of the device with the new settings (bindings-cpp's open applies them to the device's
// termios, which every descriptor shares) and closes it again at once; the port's own descriptors,
// its stream, its lock and its write queue stay. Linux asserts DTR and RTS on every open, so the
// lines are set again right after. Mark/space parity and reading the settings back go through stty.ts.
import { once } from 'node:events';
import { writeSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { ReadStream } from 'node:tty';
import { DEFAULT_FRAMING, type Framing } from '../../wire/limits.js';
import { codeFromNativeMessage } from './open-error.js';
import {
  PortError,
  toWireError,
  type OpenPort,
  type OpenRequest,
  type PortEvents,
  type PortOpener,
  type PortSignals,
} from './port.js';
import { framingFromStty, runStty } from './stty.js';

/** errno codes of a write that mean the device is gone (pty closed, USB unplugged). */
const GONE_CODES: ReadonlySet<string> = new Set(['EIO', 'ENXIO', 'ENODEV']);

/** The subset of bindings-cpp's native calls used here (its load-bindings module is untyped). */
interface NativeBindings {
  asyncOpen(path: string, options: NativeOpenOptions): Promise<number>;
  asyncUpdate(fd: number, options: { baudRate: number }): Promise<void>;
  asyncSet(fd: number, options: NativeSetOptions): Promise<void>;
  asyncClose(fd: number): Promise<void>;
}

interface NativeOpenOptions {
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  stopBits: 1 | 2;
  /** Mark and space are refused by bindings-cpp on Unix; they open as odd/even, then stty adds CMSPAR. */
  parity: 'none' | 'odd' | 'even';
  rtscts: boolean;
  xon: boolean;
  xoff: boolean;
  xany: boolean;
  hupcl: boolean;
  lock: boolean;
  vmin: number;
  vtime: number;
}

interface NativeSetOptions {
  dtr: boolean;
  rts: boolean;
  brk: boolean;
  cts: boolean;
  dsr: boolean;
  lowLatency: boolean;
}

/** A PortOpener for real tty devices (Linux, macOS). Loads the native binding when called, so the demo board never needs it. */
export function createNodePortOpener(): PortOpener {
  const native = createRequire(import.meta.url)('@serialport/bindings-cpp/dist/load-bindings.js') as NativeBindings;
  return { open: (request, events) => NodePort.open(native, request, events) };
}

/** A Linux or macOS pseudo-terminal (what socat and the emulated Uno give): it has no modem lines and no break. */
const PTY_PATH = /^\/dev\/(pts\/\d+|ttys\d+|ptmx)$/;

/** bindings-cpp's open options for `framing` (vmin 1 / vtime 0: a read returns as soon as one byte is there). */
function nativeSettings(baudRate: number, framing: Framing, hupcl: boolean, lock: boolean): NativeOpenOptions {
  const parity = framing.parity === 'mark' ? 'odd' : framing.parity === 'space' ? 'even' : framing.parity;
  return {
    baudRate,
    dataBits: framing.dataBits,
    stopBits: framing.stopBits,
    parity,
    rtscts: framing.flow === 'hard',
    xon: framing.flow === 'soft',
    xoff: framing.flow === 'soft',
    xany: false,
    hupcl,
    lock,
    vmin: 1,
    vtime: 0,
  };
}

const isPlain = (framing: Framing): boolean =>
  framing.dataBits === 8 && framing.parity === 'none' && framing.stopBits === 1 && framing.flow === 'none';

/**
 * Finishes setting `wanted` on the terminal `fd` after bindings-cpp's open: CMSPAR for mark/space
 * (Linux only), then reads back what the driver kept. 8N1 without flow control is bindings-cpp's
 * own setting, which every driver takes, so it costs no stty.
 */
async function settleFraming(fd: number, wanted: Framing): Promise<Framing> {
  if (isPlain(wanted)) return wanted;
  const markOrSpace = wanted.parity === 'mark' || wanted.parity === 'space';
  if (markOrSpace && process.platform !== 'linux')
    throw new PortError(`${wanted.parity} parity needs Linux (CMSPAR); this system has no way to set it`, { code: 'EINVAL' });
  if (process.platform === 'linux' && wanted.parity !== 'none') {
    // bindings-cpp never clears CMSPAR: a port that was mark/space would stay so under odd/even.
    const applied = runStty(fd, [markOrSpace ? 'cmspar' : '-cmspar']);
    if (markOrSpace) await applied.catch((error: unknown) => Promise.reject(new PortError(`cannot set ${wanted.parity} parity: ${toWireError(error).message}`, { code: 'EINVAL' })));
    else await applied.catch(() => undefined);
  }
  // Drivers take tcsetattr() without complaint and keep what they cannot do (a pty forces cs8 -parenb).
  const shown = await runStty(fd, ['-a']).then(framingFromStty, () => null);
  return shown ?? wanted;
}

/** Wraps a bindings-cpp rejection (a bare Error, message only) as a PortError with an errno-style code. */
function nativeError(error: unknown, flags: { disconnected?: boolean } = {}): PortError {
  const message = (error instanceof Error ? error.message : String(error)).replace(/^Error:?\s*/, '');
  const code = codeFromNativeMessage(message);
  return new PortError(message, { ...(code ? { code } : {}), ...flags });
}

/** The descriptor libuv's tty handle uses (Node keeps it on the stream's internal handle), if visible. */
function handleFd(stream: ReadStream): number | undefined {
  const fd = (stream as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

class NodePort implements OpenPort {
  private closed = false;
  private ended = false;
  /** Why the port ended (set before `end` is reported), so a write cut short by it says the same. */
  private endError: { message: string; code?: string } | undefined;
  private writing: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  static async open(native: NativeBindings, request: OpenRequest, events: PortEvents): Promise<NodePort> {
    const framing = request.framing ?? DEFAULT_FRAMING;
    const hupcl = request.hupcl ?? true;
    if ((framing.parity === 'mark' || framing.parity === 'space') && process.platform !== 'linux')
      throw new PortError(`${framing.parity} parity needs Linux (CMSPAR); this system has no way to set it`, { code: 'EINVAL' });
    // bindings-cpp's hupcl: true sets HUPCL and false leaves it as it is, so never set it here: a
    // `stty -hupcl` the user gave (to keep DTR up across restarts) then stays; clearing it is stty's job.
    const settings = (lock: boolean): NativeOpenOptions => nativeSettings(request.baudRate, framing, false, lock);
    // The device behind a /dev/serial/by-id or socat link: framing changes open it again by this name.
    const device = await realpath(request.path).catch(() => request.path);
    // Two descriptions of the device: `lockFd` only holds the exclusive flock(); `fd` carries the
    // bytes. libuv may reopen a tty when it wraps it (uv_tty_init), which would silently drop a
    // lock taken on the wrapped fd, so the lock lives on a descriptor libuv never sees.
    let lockFd: number;
    let fd: number;
    try {
      lockFd = await native.asyncOpen(request.path, settings(true));
    } catch (error) {
      throw nativeError(error);
    }
    try {
      fd = await native.asyncOpen(request.path, settings(false));
    } catch (error) {
      await native.asyncClose(lockFd).catch(() => undefined);
      throw nativeError(error);
    }
    let stream: ReadStream;
    try {
      stream = new ReadStream(fd);
    } catch (error) {
      await native.asyncClose(fd).catch(() => undefined);
      await native.asyncClose(lockFd).catch(() => undefined);
      throw new PortError(`cannot read ${request.path}: ${toWireError(error).message}`, { code: 'ENOTTY' });
    }
    // libuv reopens a tty on a new descriptor when it wraps it (uv_tty_init) and leaves the old
    // number behind as a duplicate; close that now, so libuv's descriptor is the only one and
    // goes away with the stream (also when the worker is terminated).
    const streamFd = handleFd(stream) ?? fd;
    if (streamFd !== fd) await native.asyncClose(fd).catch(() => undefined);
    const port = new NodePort(native, streamFd, lockFd, stream, events, device, request.baudRate);
    try {
      // Best effort: a device whose HUPCL cannot be cleared still opens (the reset on close is the driver's).
      if (!hupcl) await runStty(lockFd, ['-hupcl']).catch(() => undefined);
      port.framing = await settleFraming(lockFd, framing);
    } catch (error) {
      await port.close();
      throw error;
    }
    return port;
  }

  /** True for a pseudo-terminal: no modem lines, no break (so they are never tried). */
  readonly noModemLines: boolean;
  /** The framing in force, as the driver shows it where it can be read back (else as set). */
  framing: Framing = DEFAULT_FRAMING;
  /** The lines as last set, to set again after a framing change's open asserted them. */
  private lines: PortSignals | undefined;

  private constructor(
    private readonly native: NativeBindings,
    /** The descriptor the stream reads (non-blocking: libuv set it so); write() goes to it too, valid until the stream closes. */
    private readonly fd: number,
    private readonly lockFd: number,
    private readonly stream: ReadStream,
    private readonly events: PortEvents,
    private readonly device: string,
    private baudRate: number,
  ) {
    this.noModemLines = PTY_PATH.test(device);
    stream.on('data', (chunk: Buffer) => {
      if (!this.closed) events.data(chunk);
    });
    // A pty whose other side went away, or an unplugged USB adapter, ends the stream (EOF or EIO).
    stream.on('end', () => this.onEnded({ message: 'device closed the connection', code: 'EOF' }));
    stream.on('error', (error) => this.onEnded(toWireError(error)));
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.writing) throw new PortError('a write is already in progress', { code: 'EBUSY' });
    // The keystroke path: all of it fits in the driver's buffer now, no waiting, no bookkeeping.
    const written = this.writeNow(data, 0);
    if (written === data.byteLength) return;
    const writing = this.writeRest(data, written);
    this.writing = writing;
    try {
      await writing;
    } finally {
      this.writing = undefined;
    }
  }

  pauseReading(): void {
    // The tty stream stops reading the descriptor: the kernel's buffer holds what comes next.
    this.stream.pause();
  }

  resumeReading(): void {
    if (!this.closed) this.stream.resume();
  }

  async setBaudRate(baudRate: number): Promise<void> {
    this.assertOpen();
    await this.native.asyncUpdate(this.fd, { baudRate }).catch((error: unknown) => {
      throw nativeError(error);
    });
    this.baudRate = baudRate;
  }

  async setSignals(signals: PortSignals): Promise<void> {
    this.assertOpen();
    const options = { ...signals, brk: false, cts: false, dsr: false, lowLatency: false };
    await this.native.asyncSet(this.fd, options).catch((error: unknown) => {
      throw nativeError(error);
    });
    this.lines = { ...signals };
  }

  /** Returns the framing now in force (read back where stty can; see settleFraming). */
  async setFraming(framing: Framing): Promise<Framing> {
    this.assertOpen();
    let fd: number;
    try {
      fd = await this.native.asyncOpen(this.device, nativeSettings(this.baudRate, framing, false, false));
    } catch (error) {
      throw nativeError(error);
    }
    await this.native.asyncClose(fd).catch(() => undefined);
    // That open asserted DTR and RTS (Linux does on every open): put them back as they were.
    if (this.lines) await this.setSignals(this.lines).catch(() => undefined);
    this.framing = await settleFraming(this.lockFd, framing);
    return this.framing;
  }

  async setBreak(on: boolean): Promise<void> {
    this.assertOpen();
    if (this.noModemLines) throw new PortError(`${this.device} is a pseudo-terminal: it has no break`, { code: 'ENOTTY' });
    // bindings-cpp's set() writes DTR/RTS along with the break: keep them as they are (as the kernel left them, if never set).
    const lines = this.lines ?? { dtr: true, rts: true };
    await this.native.asyncSet(this.fd, { ...lines, brk: on, cts: false, dsr: false, lowLatency: false }).catch((error: unknown) => {
      throw nativeError(error);
    });
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    // Destroying the stream closes its fd (libuv owns it; closing it again could hit a reused
    // number) and cancels a write waiting for room, so a long slow write stops here.
    if (!this.stream.closed) {
      const closed = once(this.stream, 'close').catch(() => undefined);
      this.stream.destroy();
      await closed;
    }
    await this.writing?.catch(() => undefined);
    await this.native.asyncClose(this.lockFd).catch(() => undefined);
  }

  private onEnded(error: { message: string; code?: string }): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    this.endError = error;
    void this.close().then(() => this.events.end({ ...error, disconnected: true }));
  }

  /** Writes what the driver takes now from `offset` on, without blocking; returns the new offset. Throws a PortError carrying `written`. */
  private writeNow(data: Uint8Array, offset: number): number {
    if (this.closed) throw this.closedError(offset);
    try {
      return offset + writeSync(this.fd, data, offset, data.byteLength - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return offset; // the driver's buffer is full
      throw this.writeError(error, offset);
    }
  }

  /** Writes the rest, waiting for room through the stream (one byte at a time, so counts stay exact). */
  private async writeRest(data: Uint8Array, from: number): Promise<void> {
    let offset = from;
    while (offset < data.byteLength) {
      await this.writeOneByteWhenWritable(data, offset);
      offset = this.writeNow(data, offset + 1);
    }
  }

  private writeOneByteWhenWritable(data: Uint8Array, offset: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.write(data.subarray(offset, offset + 1), (error) => {
        // A destroyed stream reports success for the write it cancelled: closed means not written.
        if (this.closed) reject(this.closedError(offset));
        else if (error) reject(this.writeError(error, offset));
        else resolve();
      });
    });
  }

  /** Why a write stopped at close: the device went away (EIO, what write(2) says on a hung-up tty, whether the read side saw EOF or EIO), or close() was called. */
  private closedError(written: number): PortError {
    const cause = this.endError;
    if (cause) return new PortError(`device went away (${cause.message})`, { code: 'EIO', disconnected: true, written });
    return new PortError('port is closed', { code: 'EBADF', written });
  }

  private writeError(error: unknown, written: number): PortError {
    const wire = toWireError(error);
    const code = (error as NodeJS.ErrnoException).code;
    return new PortError(wire.message, {
      ...(wire.code ? { code: wire.code } : {}),
      disconnected: code !== undefined && GONE_CODES.has(code),
      written,
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new PortError('port is closed', { code: 'EBADF' });
  }
}
