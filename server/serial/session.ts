// All serial logic of one port, written against an injected PortOpener so it runs in one
// process under test: opening and reopening (hot-plug, USB identity), coalesced reads, the paced
// write queue, baud, framing and modem-line changes, breaks, releasing the device for flashing, and
// the answer to every command that carries an id. The worker file only wires it to its MessagePort.
import {
  checkBaudRate,
  checkBreakMs,
  checkDataBits,
  checkFlow,
  checkPacingDelay,
  checkParity,
  checkReleaseMs,
  checkStopBits,
  DEFAULT_FRAMING,
  type Framing,
} from '../wire/limits.js';
import { describeFraming, type DeviceState, type DeviceStatus, type SignalSupport } from '../wire/protocol.js';
import type { FromWorker, SerialOptions, ToWorker, UsbMatch, WireError } from './messages.js';
import type { PortInfo } from './devices/list-ports.js';
import { describeOpenError } from './devices/open-error.js';
import { toWireError, type OpenPort, type PortOpener, type PortSignals } from './devices/port.js';
import { framingMismatch } from './devices/stty.js';
import { describeUsbMatch, findUsbPort } from './devices/usb-match.js';
import { ReadBatcher } from './read-batcher.js';
import { WriteQueue, type DroppedWrite } from './write-queue.js';

/** How often a missing or unplugged device is looked for, in ms: a replugged board is back within half a second, and a failed open() costs next to nothing. */
export const REOPEN_POLL_MS = 500;

/**
 * Most data bytes sent to the main thread and not yet reported `consumed` before reading pauses, in
 * bytes: bounds the queue between the threads (the device's own buffer holds the rest). Far above
 * what any serial line delivers in the time the main thread needs to catch up; only a pty or USB
 * link flat out against a saturated main thread reaches it.
 */
export const READ_PAUSE_BYTES = 4 * 1024 * 1024;
/** Reading resumes once the unconsumed bytes are down to this, in bytes: above the main thread's ack step, so its acks always get there. */
export const READ_RESUME_BYTES = 2 * 1024 * 1024;
/**
 * After a reset pulse, how long DTR/RTS stay asserted before the configured lines come back, in ms:
 * avrdude's arduino programmer holds them 50 ms; the reset itself is the assertion edge.
 */
export const RESET_ASSERT_MS = 50;

/** A time of day as HH:MM:SS (the server's local time), for "released for flashing until …". */
export function clockTime(timeMs: number): string {
  return new Date(timeMs).toTimeString().slice(0, 8);
}

/** What the session needs from its host (the worker, or a test). */
export interface SessionHost {
  opener: PortOpener;
  /** Lists the OS's serial ports; used only with options.match, once per open attempt. */
  listPorts?: () => Promise<PortInfo[]>;
  /** Delivers a message to the main thread. A `data` message's array is fresh and may be transferred. */
  send(message: FromWorker): void;
}

/**
 * Longest a write's answer waits in the worker, in ms, unless another message goes out first (it then
 * goes just ahead of it, so the main thread hears everything in order; a device's echo comes after the
 * answer to what it echoes). Posted at once, the answer woke the main thread just as the keystroke
 * crossed the pty to the device, competing with it for the CPU (2 cores); who waits for a write's
 * answer (an HTTP write, a script's id) waits 1 ms more.
 */
export const WRITE_ANSWER_DELAY_MS = 1;

const CLOSING: WireError = { message: 'port closing', code: 'closed' };

/** `fields` without its undefined values (so spreading it keeps what they would blank). */
function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** One serial port's session. Call start(), feed it ToWorker messages with handle(), end with close(). */
export class SerialSession {
  private readonly options: SerialOptions;
  private state: DeviceState = 'opening';
  private message: string | undefined;
  /** The device path the open port was found at (differs from options.path with a USB match). */
  private resolvedPath: string | undefined;
  private signals: { dtr: boolean | null; rts: boolean | null } = { dtr: null, rts: null };
  /** Whether the modem lines work; kept across reopens, so a pty's refusal is found once per port. */
  private signalSupport: SignalSupport = 'unknown';
  /** The framing asked for (config, then set-framing); kept for every reopen. */
  private framing: Framing;
  /** The framing the open device really has (a pty keeps 8 bits, no parity); undefined while not open. */
  private inForce: Framing | undefined;
  /** While released: when the device is taken back (ms since the epoch), and the timer that does it. */
  private releasedUntilMs: number | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  private port: OpenPort | undefined;
  private queue: WriteQueue | undefined;
  private readonly batcher: ReadBatcher;
  /** Answers to finished writes not yet sent, oldest first (see WRITE_ANSWER_DELAY_MS). */
  private heldAnswers: FromWorker[] = [];
  private answerTimer: NodeJS.Timeout | undefined;
  /** Bumped by every open attempt and by close, so a late result of an older attempt is discarded. */
  private generation = 0;
  private opening: Promise<WireError | undefined> | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  /** Control operations (open, baud, signals, pacing, and writes behind them) run one after another, in arrival order. */
  private ops: Promise<void> = Promise.resolve();
  /** Operations queued or running on `ops`; at 0 a write goes straight to the queue, without the promise hop. */
  private pendingOps = 0;
  private closing: Promise<void> | undefined;
  private lastSent = '';
  /** Data bytes sent to the main thread that it has not yet reported `consumed`. */
  private unconsumedBytes = 0;
  private readPaused = false;

  /** `options` are copied; changes made through messages are kept for every reopen. */
  constructor(
    options: SerialOptions,
    private readonly host: SessionHost,
  ) {
    this.options = { ...options };
    this.framing = {
      dataBits: options.dataBits ?? DEFAULT_FRAMING.dataBits,
      parity: options.parity ?? DEFAULT_FRAMING.parity,
      stopBits: options.stopBits ?? DEFAULT_FRAMING.stopBits,
      flow: options.flow ?? DEFAULT_FRAMING.flow,
    };
    this.batcher = new ReadBatcher((batch, timeMs) => this.sendData(batch, timeMs));
  }

  /** The status as last sent (or about to be). */
  get status(): DeviceStatus {
    const framing = this.inForce ?? this.framing;
    const status: DeviceStatus = {
      state: this.state,
      path: this.resolvedPath ?? this.options.path,
      baudRate: this.options.baudRate,
      dtr: this.signals.dtr,
      rts: this.signals.rts,
      charDelayMs: this.options.charDelayMs,
      lineDelayMs: this.options.lineDelayMs,
      ...framing,
      framing: describeFraming({ baudRate: this.options.baudRate, ...framing }),
      signals: this.signalSupport,
    };
    if (this.message !== undefined) status.message = this.message;
    if (this.state === 'released' && this.releasedUntilMs !== undefined) status.releasedUntilMs = this.releasedUntilMs;
    return status;
  }

  /** Sends the first status and starts opening the device (or stays released until options.releasedUntilMs). */
  start(): void {
    const untilMs = this.options.releasedUntilMs;
    if (untilMs !== undefined && untilMs > Date.now()) return this.holdReleased(untilMs);
    this.setState('opening', undefined);
    void this.openNow();
  }

  /** Acts on one message from the main thread. Never throws: a failure becomes the command's `result` (with an id) or an `error`. */
  handle(message: ToWorker): void {
    if (this.closing && message.type !== 'close') {
      if ('id' in message) this.fail(message.id, CLOSING, message.type === 'write' ? 0 : undefined);
      return;
    }
    switch (message.type) {
      case 'open':
        this.enqueueOp(message.id, () => this.reopen(message.id));
        return;
      case 'close':
        void this.close().then(() => this.send({ type: 'closed' }));
        return;
      case 'write':
        // Nothing ahead of it: straight to the queue, which writes at once when idle (the keystroke path).
        if (this.pendingOps === 0) this.write(message.data, message.id);
        else this.enqueueOp(message.id, async () => this.write(message.data, message.id));
        return;
      case 'consumed':
        this.onConsumed(message.bytes);
        return;
      case 'set-baud':
        this.enqueueOp(message.id, () => this.setBaud(message.baudRate, message.id));
        return;
      case 'set-signals':
        this.enqueueOp(message.id, () => this.setSignals(message.dtr, message.rts, message.pulseMs, message.id));
        return;
      case 'set-pacing':
        this.enqueueOp(message.id, async () => this.setPacing(message.charDelayMs, message.lineDelayMs, message.id));
        return;
      case 'set-framing': {
        const { type: _type, id, ...fields } = message;
        this.enqueueOp(id, () => this.setFraming(fields, id));
        return;
      }
      case 'send-break':
        this.enqueueOp(message.id, () => this.sendBreak(message.ms, message.id));
        return;
      case 'release':
        this.enqueueOp(message.id, () => this.release(message.forMs, message.id));
        return;
      case 'reclaim':
        this.enqueueOp(message.id, () => this.reclaim(message.id));
        return;
    }
  }

  /** Closes the device and stops reopening it; sends a final 'closed' status. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.generation++;
    this.clearReopenTimer();
    this.clearRelease();
    // An open in flight finishes first (its late port is closed by the generation check).
    await this.opening;
    await this.dropPort('device closed', CLOSING);
    this.batcher.dispose();
    this.setState('closed', undefined);
  }

  /** Runs `op` after the operations before it; an unexpected throw is the answer to `id`. */
  private enqueueOp(id: number | undefined, op: () => Promise<void>): void {
    this.pendingOps++;
    this.ops = this.ops.then(async () => {
      try {
        await op();
      } catch (error) {
        this.fail(id, toWireError(error));
      } finally {
        this.pendingOps--;
      }
    });
  }

  // ---- opening, hot-plug ----

  /** One open attempt now; resolves with why it failed, or undefined once the port is open. */
  private openNow(): Promise<WireError | undefined> {
    this.clearReopenTimer();
    this.clearRelease(); // any open ends a release
    const attempt = ++this.generation;
    const opening = this.tryOpen(attempt).finally(() => {
      if (this.opening === opening) this.opening = undefined;
    });
    this.opening = opening;
    return opening;
  }

  private async tryOpen(attempt: number): Promise<WireError | undefined> {
    const superseded = (): WireError => (this.closing ? CLOSING : { message: 'open attempt superseded', code: 'not-open' });
    const { match } = this.options;
    const found = match ? await this.findUsbPath(match) : { path: this.options.path };
    if (attempt !== this.generation || this.closing) return superseded();
    if ('error' in found) {
      this.waitForDevice(found.error.message);
      return found.error;
    }
    const { path } = found;
    let port: OpenPort;
    try {
      // HUPCL cleared when DTR is not wanted: closing then leaves DTR as it is, as tio and pyserial do.
      port = await this.host.opener.open(
        { path, baudRate: this.options.baudRate, framing: { ...this.framing }, hupcl: this.options.dtr },
        {
          data: (chunk) => {
            if (this.port === port) this.batcher.push(chunk);
          },
          end: (error) => {
            if (this.port === port) void this.onUnplugged(error);
          },
        },
      );
    } catch (error) {
      if (attempt !== this.generation || this.closing) return superseded();
      const wire = toWireError(error);
      const failure = { ...wire, message: describeOpenError(path, wire) };
      this.waitForDevice(failure.message);
      return failure;
    }
    if (attempt !== this.generation || this.closing) {
      await port.close().catch(() => undefined);
      return superseded();
    }
    this.port = port;
    this.resolvedPath = this.options.match ? path : undefined;
    this.queue = this.newQueue(port);
    this.inForce = port.framing ? { ...port.framing } : { ...this.framing };
    // Set at once: Linux asserted both lines on open, and an Arduino resets on that edge. A refusal
    // (a pty: no modem lines) is no error: `signals: 'unsupported'` in the status says it, quietly.
    await this.applySignals(port, this.options.dtr, this.options.rts);
    if (this.port !== port) return { message: `${path} went away while opening`, code: 'not-open' };
    const kept = framingMismatch(this.framing, this.inForce);
    this.setState('open', kept ? `${path} kept ${kept}: the driver ignores what it cannot do (a pty has no parity or data bits)` : undefined);
    return undefined;
  }

  /** Where the OS lists the device with `match`'s identity now, or why it cannot be opened. */
  private async findUsbPath(match: UsbMatch): Promise<{ path: string } | { error: WireError }> {
    const id = describeUsbMatch(match);
    if (!this.host.listPorts) return { error: { message: `cannot look for USB device ${id}: no port lister`, code: 'ENOSYS' } };
    let ports: PortInfo[];
    try {
      ports = await this.host.listPorts();
    } catch (error) {
      const wire = toWireError(error);
      return { error: { ...wire, message: `cannot list serial ports to find USB device ${id}: ${wire.message}` } };
    }
    const found = findUsbPort(match, ports);
    if (found === undefined) return { error: { message: `waiting for USB device ${id}: not present`, code: 'ENOENT' } };
    return { path: found };
  }

  private newQueue(port: OpenPort): WriteQueue {
    return new WriteQueue((slice) => port.write(slice), { charDelayMs: this.options.charDelayMs, lineDelayMs: this.options.lineDelayMs }, {
      written: (id, bytes) => this.succeed(id, bytes),
      failed: (error, dropped) => {
        this.reportDropped(dropped, `write failed: ${error.message}`, error, error.code);
        // Later writes get their own try (and their own answer) on a fresh queue; an unplug drops the port soon anyway.
        if (this.port === port) this.queue = this.newQueue(port);
      },
    });
  }

  /**
   * Sets the modem lines; on refusal (a pty has none) marks them unknown and unsupported and returns
   * the refusal. A port known to have none (port.noModemLines) is not even asked.
   */
  private async applySignals(port: OpenPort, dtr: boolean, rts: boolean): Promise<WireError | undefined> {
    const path = this.resolvedPath ?? this.options.path;
    if (port.noModemLines) {
      this.signals = { dtr: null, rts: null };
      this.signalSupport = 'unsupported';
      return { message: `${path} has no modem lines (a pseudo-terminal): DTR/RTS cannot be set`, code: 'ENOTTY' };
    }
    try {
      await port.setSignals({ dtr, rts });
      this.signals = { dtr, rts };
      this.signalSupport = 'available';
      return undefined;
    } catch (error) {
      const wire = toWireError(error);
      this.signals = { dtr: null, rts: null };
      this.signalSupport = 'unsupported';
      return { ...wire, message: `${path} refused DTR/RTS (${wire.message}); the port stays open without them` };
    }
  }

  private async onUnplugged(error: WireError): Promise<void> {
    const path = this.resolvedPath ?? this.options.path;
    // Writes cut short say EIO (what write(2) says on a hung-up tty), whether the read side saw EOF or EIO.
    await this.dropPort(`device went away (${error.message})`, { message: error.message, code: 'EIO', disconnected: true });
    if (this.closing) return;
    this.waitForDevice(`${path} disconnected (${error.message}); waiting for it to come back`);
  }

  private waitForDevice(message: string): void {
    this.clearRelease();
    this.setState('waiting', message);
    this.clearReopenTimer();
    this.reopenTimer = setTimeout(() => void this.openNow(), REOPEN_POLL_MS);
  }

  private async reopen(id: number | undefined): Promise<void> {
    await this.dropPort('device reopened', { message: 'device reopened', code: 'not-sent' });
    if (this.closing) return this.fail(id, CLOSING);
    this.setState('opening', undefined);
    const failure = await this.openNow();
    if (failure) this.fail(id, failure);
    else this.succeed(id);
  }

  /** Forgets the open port: flushes reads, stops writing, closes it, then answers the writes it dropped (`cause` for those with ids). */
  private async dropPort(reason: string, cause: WireError): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.port = undefined;
    this.batcher.flush();
    this.readPaused = false; // the next port starts reading; sendData pauses it again if still behind
    const dropped = this.queue?.dispose() ?? Promise.resolve([]);
    this.queue = undefined;
    this.signals = { dtr: null, rts: null };
    this.inForce = undefined;
    // Closing first makes a write in flight stop, so the count of what it wrote is final.
    await port.close().catch(() => undefined);
    this.resolvedPath = undefined;
    this.reportDropped(await dropped, reason, cause, 'not-sent');
  }

  /**
   * Answers each dropped write with an id (its count, `cause`'s code); the bytes of those without
   * one go in one broadcast error, coded `anonymousCode`, as before ids existed.
   */
  private reportDropped(dropped: DroppedWrite[], reason: string, cause: WireError, anonymousCode: string | undefined): void {
    let anonymousBytes = 0;
    for (const write of dropped) {
      const unsent = write.bytes - write.written;
      if (write.id === undefined) anonymousBytes += unsent;
      else this.fail(write.id, { ...cause, message: `${reason}: ${unsent} of ${write.bytes} bytes not sent` }, write.written);
    }
    if (anonymousBytes === 0) return;
    const error: WireError = { ...cause, message: `${reason}: ${anonymousBytes} queued bytes not sent` };
    if (anonymousCode === undefined) delete error.code;
    else error.code = anonymousCode;
    this.sendError(error);
  }

  private clearReopenTimer(): void {
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
  }

  // ---- operations ----

  private write(data: Uint8Array, id: number | undefined): void {
    if (!this.queue) {
      const why = this.state === 'released' && this.message ? this.message : this.state;
      this.fail(id, { message: `device not open (${why}): ${data.byteLength} bytes not sent`, code: 'not-open' }, 0);
      return;
    }
    if (!this.queue.enqueue(data, id)) {
      const message = `write queue full (${this.queue.queuedBytes} bytes waiting): ${data.byteLength} bytes not sent`;
      this.fail(id, { message, code: 'write-queue-full' }, 0);
    }
  }

  private async setBaud(baudRate: number, id: number | undefined): Promise<void> {
    const refusal = checkBaudRate(baudRate);
    if (refusal !== null) return this.fail(id, { message: `bad baud rate: ${refusal}`, code: 'EINVAL' });
    const port = this.port;
    if (port) {
      try {
        await port.setBaudRate(baudRate);
      } catch (error) {
        const wire = toWireError(error);
        return this.fail(id, { ...wire, message: `cannot set ${baudRate} baud: ${wire.message}` });
      }
    }
    this.options.baudRate = baudRate;
    this.sendStatus();
    this.succeed(id);
  }

  /**
   * Sets DTR/RTS (omitted: unchanged; kept for every reopen). With pulseMs, the Arduino reset as avrdude
   * does it: both deasserted for pulseMs, then asserted (the edge that resets the board), then after
   * RESET_ASSERT_MS back to the configured lines (still deasserted under --no-dtr / --no-rts).
   */
  private async setSignals(
    dtr: boolean | undefined,
    rts: boolean | undefined,
    pulseMs: number | undefined,
    id: number | undefined,
  ): Promise<void> {
    this.options.dtr = dtr ?? this.options.dtr;
    this.options.rts = rts ?? this.options.rts;
    const configured: PortSignals = { dtr: this.options.dtr, rts: this.options.rts };
    const port = this.port;
    if (!port) {
      if (pulseMs !== undefined) return this.fail(id, { message: `device not open (${this.state}): cannot pulse DTR/RTS`, code: 'not-open' });
      this.sendStatus(); // applied at the next open
      return this.succeed(id);
    }
    const gone: WireError = { message: 'device went away while setting DTR/RTS', code: 'not-open' };
    const steps: Array<{ lines: PortSignals; thenWaitMs: number }> =
      pulseMs === undefined
        ? [{ lines: configured, thenWaitMs: 0 }]
        : [
            { lines: { dtr: false, rts: false }, thenWaitMs: pulseMs },
            { lines: { dtr: true, rts: true }, thenWaitMs: configured.dtr && configured.rts ? 0 : RESET_ASSERT_MS },
            ...(configured.dtr && configured.rts ? [] : [{ lines: configured, thenWaitMs: 0 }]),
          ];
    for (const step of steps) {
      const refusal = await this.applySignals(port, step.lines.dtr, step.lines.rts);
      if (refusal || this.port !== port) {
        this.sendStatus();
        return this.fail(id, refusal ?? gone);
      }
      if (step.thenWaitMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, step.thenWaitMs));
        if (this.port !== port) return this.fail(id, gone);
      }
    }
    this.sendStatus();
    this.succeed(id);
  }

  private setPacing(charDelayMs: number, lineDelayMs: number, id: number | undefined): void {
    const refusal = checkPacingDelay(charDelayMs) ?? checkPacingDelay(lineDelayMs);
    if (refusal !== null) return this.fail(id, { message: `bad pacing: delays ${refusal}`, code: 'EINVAL' });
    this.options.charDelayMs = charDelayMs;
    this.options.lineDelayMs = lineDelayMs;
    this.queue?.setPacing({ charDelayMs, lineDelayMs });
    this.sendStatus();
    this.succeed(id);
  }

  /** Applies the framing fields given over the rest; kept for every reopen. The device may keep what it cannot do (then refused, saying what it kept). */
  private async setFraming(fields: Partial<Framing>, id: number | undefined): Promise<void> {
    const refusal =
      (fields.dataBits === undefined ? null : checkDataBits(fields.dataBits)) ??
      (fields.parity === undefined ? null : checkParity(fields.parity)) ??
      (fields.stopBits === undefined ? null : checkStopBits(fields.stopBits)) ??
      (fields.flow === undefined ? null : checkFlow(fields.flow));
    if (refusal !== null) return this.fail(id, { message: `bad framing: ${refusal}`, code: 'EINVAL' });
    const wanted: Framing = { ...this.framing, ...definedOnly(fields) };
    const port = this.port;
    if (port) {
      const label = describeFraming({ baudRate: this.options.baudRate, ...wanted });
      let actual: Framing;
      try {
        actual = await port.setFraming(wanted);
      } catch (error) {
        const wire = toWireError(error);
        return this.fail(id, { ...wire, message: `cannot set ${label}: ${wire.message}` });
      }
      this.framing = wanted;
      if (this.port === port) this.inForce = { ...actual };
      const kept = framingMismatch(wanted, actual);
      if (kept) {
        const path = this.resolvedPath ?? this.options.path;
        this.message = `${path} kept ${kept}: the driver ignores what it cannot do (a pty has no parity or data bits)`;
        this.sendStatus();
        return this.fail(id, { message: `${label} not fully applied: ${this.message}`, code: 'ENOTSUP' });
      }
      if (this.state === 'open') this.message = undefined; // an earlier "kept …" no longer holds
    } else {
      this.framing = wanted;
    }
    this.sendStatus();
    this.succeed(id);
  }

  /** Holds the transmit line in break for `ms`, then lets it go. */
  private async sendBreak(ms: number, id: number | undefined): Promise<void> {
    const refusal = checkBreakMs(ms);
    if (refusal !== null) return this.fail(id, { message: `bad break: ${refusal}`, code: 'EINVAL' });
    const port = this.port;
    if (!port) return this.fail(id, { message: `device not open (${this.state}): cannot send a break`, code: 'not-open' });
    const path = this.resolvedPath ?? this.options.path;
    if (port.noModemLines)
      return this.fail(id, { message: `${path} is a pseudo-terminal: it cannot send a break`, code: 'ENOTTY' });
    try {
      await port.setBreak(true);
    } catch (error) {
      await port.setBreak(false).catch(() => undefined);
      const wire = toWireError(error);
      return this.fail(id, { ...wire, message: `${path} cannot send a break: ${wire.message}` });
    }
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.port !== port) return this.fail(id, { message: 'device went away during the break', code: 'not-open' });
    try {
      await port.setBreak(false);
    } catch (error) {
      const wire = toWireError(error);
      return this.fail(id, { ...wire, message: `${path} cannot end the break: ${wire.message}` });
    }
    this.succeed(id);
  }

  /**
   * Closes the device so another program (avrdude, esptool) can open it; state `released` until
   * `forMs` from now, then the device is opened again (waiting for it if the upload's reset made it
   * re-enumerate). A release while released sets a new end.
   */
  private async release(forMs: number, id: number | undefined): Promise<void> {
    const refusal = checkReleaseMs(forMs);
    if (refusal !== null) return this.fail(id, { message: `bad release: ${refusal}`, code: 'EINVAL' });
    this.generation++; // an open in flight is dropped when it lands
    this.clearReopenTimer();
    await this.opening;
    await this.dropPort('device released for flashing', { message: 'device released for flashing', code: 'not-sent' });
    if (this.closing) return this.fail(id, CLOSING);
    this.holdReleased(Date.now() + forMs);
    this.succeed(id);
  }

  /** State `released` until `untilMs` (the device closed), then the device is taken back. */
  private holdReleased(untilMs: number): void {
    this.clearRelease();
    this.releasedUntilMs = untilMs;
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      this.enqueueOp(undefined, () => this.reclaim(undefined));
    }, Math.max(0, untilMs - Date.now()));
    this.setState('released', `released for flashing until ${clockTime(untilMs)}`);
  }

  /** Ends a release: opens the device now (or waits for it). Nothing to do when not released. */
  private async reclaim(id: number | undefined): Promise<void> {
    if (this.state !== 'released') return this.succeed(id);
    this.setState('opening', undefined);
    const failure = await this.openNow();
    if (failure) this.fail(id, failure);
    else this.succeed(id);
  }

  private clearRelease(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    this.releasedUntilMs = undefined;
  }

  // ---- the bounded queue to the main thread ----

  private sendData(batch: Uint8Array, timeMs: number): void {
    this.unconsumedBytes += batch.byteLength;
    this.send({ type: 'data', data: batch, timeMs });
    if (!this.readPaused && this.unconsumedBytes >= READ_PAUSE_BYTES && this.port) {
      this.readPaused = true;
      this.port.pauseReading();
    }
  }

  private onConsumed(bytes: number): void {
    this.unconsumedBytes = Math.max(0, this.unconsumedBytes - bytes);
    if (this.readPaused && this.unconsumedBytes <= READ_RESUME_BYTES) {
      this.readPaused = false;
      this.port?.resumeReading();
    }
  }

  // ---- messages out ----

  private setState(state: DeviceState, message: string | undefined): void {
    this.state = state;
    this.message = message;
    this.sendStatus();
  }

  /** Sends the status if it changed; pending reads go first so data and status keep their order. */
  private sendStatus(): void {
    const status = this.status;
    const key = JSON.stringify(status);
    if (key === this.lastSent) return;
    this.lastSent = key;
    this.batcher.flush();
    this.send({ type: 'status', status });
  }

  /** A command done: answered when it carried an id (a write with its byte count, held back briefly: see WRITE_ANSWER_DELAY_MS). */
  private succeed(id: number | undefined, written?: number): void {
    if (id === undefined) return;
    if (written === undefined) return this.send({ type: 'result', id, ok: true });
    this.heldAnswers.push({ type: 'result', id, ok: true, written });
    this.answerTimer ??= setTimeout(() => this.releaseAnswers(), WRITE_ANSWER_DELAY_MS);
  }

  /** Every message to the main thread goes here: held write answers first, so the order of what it hears is kept. */
  private send(message: FromWorker): void {
    if (this.heldAnswers.length > 0) this.releaseAnswers();
    this.host.send(message);
  }

  private releaseAnswers(): void {
    clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
    const held = this.heldAnswers;
    this.heldAnswers = [];
    for (const answer of held) this.host.send(answer);
  }

  /** A command refused or failed: to its sender when it carried an id, else broadcast as an `error`. */
  private fail(id: number | undefined, error: WireError, written?: number): void {
    if (id === undefined) return this.sendError(error);
    this.send(
      written === undefined ? { type: 'result', id, ok: false, error } : { type: 'result', id, ok: false, error, written },
    );
  }

  private sendError(error: WireError): void {
    this.send({ type: 'error', error });
  }
}
