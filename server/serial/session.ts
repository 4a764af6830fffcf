// All serial logic of one port, written against an injected PortOpener so it runs in one
// process under test: opening and reopening (hot-plug, USB identity), coalesced reads, the paced
// write queue, baud and modem-line changes, and the answer to every command that carries an id.
// The worker file only wires it to its MessagePort.
import { checkBaudRate, checkPacingDelay } from '../wire/limits.js';
import type { DeviceState, DeviceStatus } from '../wire/protocol.js';
import type { FromWorker, SerialOptions, ToWorker, UsbMatch, WireError } from './messages.js';
import type { PortInfo } from './devices/list-ports.js';
import { describeOpenError } from './devices/open-error.js';
import { toWireError, type OpenPort, type PortOpener } from './devices/port.js';
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

/** What the session needs from its host (the worker, or a test). */
export interface SessionHost {
  opener: PortOpener;
  /** Lists the OS's serial ports; used only with options.match, once per open attempt. */
  listPorts?: () => Promise<PortInfo[]>;
  /** Delivers a message to the main thread. A `data` message's array is fresh and may be transferred. */
  send(message: FromWorker): void;
}

const CLOSING: WireError = { message: 'port closing', code: 'closed' };

/** One serial port's session. Call start(), feed it ToWorker messages with handle(), end with close(). */
export class SerialSession {
  private readonly options: SerialOptions;
  private state: DeviceState = 'opening';
  private message: string | undefined;
  /** The device path the open port was found at (differs from options.path with a USB match). */
  private resolvedPath: string | undefined;
  private signals: { dtr: boolean | null; rts: boolean | null } = { dtr: null, rts: null };
  private port: OpenPort | undefined;
  private queue: WriteQueue | undefined;
  private readonly batcher: ReadBatcher;
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
    this.batcher = new ReadBatcher((batch, timeMs) => this.sendData(batch, timeMs));
  }

  /** The status as last sent (or about to be). */
  get status(): DeviceStatus {
    const status: DeviceStatus = {
      state: this.state,
      path: this.resolvedPath ?? this.options.path,
      baudRate: this.options.baudRate,
      dtr: this.signals.dtr,
      rts: this.signals.rts,
      charDelayMs: this.options.charDelayMs,
      lineDelayMs: this.options.lineDelayMs,
    };
    if (this.message !== undefined) status.message = this.message;
    return status;
  }

  /** Sends the first status and starts opening the device. */
  start(): void {
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
        void this.close().then(() => this.host.send({ type: 'closed' }));
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
      port = await this.host.opener.open(
        { path, baudRate: this.options.baudRate },
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
    const refusal = await this.applySignals(port, this.options.dtr, this.options.rts);
    if (this.port !== port) return { message: `${path} went away while opening`, code: 'not-open' };
    if (refusal) this.sendError(refusal);
    this.setState('open', refusal?.message);
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

  /** Sets the modem lines; on refusal (a pty has none) marks them unknown and returns the refusal. */
  private async applySignals(port: OpenPort, dtr: boolean, rts: boolean): Promise<WireError | undefined> {
    try {
      await port.setSignals({ dtr, rts });
      this.signals = { dtr, rts };
      return undefined;
    } catch (error) {
      const wire = toWireError(error);
      this.signals = { dtr: null, rts: null };
      const path = this.resolvedPath ?? this.options.path;
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
      this.fail(id, { message: `device not open (${this.state}): ${data.byteLength} bytes not sent`, code: 'not-open' }, 0);
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

  /** Sets DTR/RTS; with pulseMs, first holds both low (deasserted) for pulseMs: the Arduino auto-reset, like avrdude's. */
  private async setSignals(
    dtr: boolean | undefined,
    rts: boolean | undefined,
    pulseMs: number | undefined,
    id: number | undefined,
  ): Promise<void> {
    const pulse = pulseMs !== undefined;
    const target = { dtr: dtr ?? (pulse ? true : this.options.dtr), rts: rts ?? (pulse ? true : this.options.rts) };
    this.options.dtr = target.dtr;
    this.options.rts = target.rts;
    const port = this.port;
    if (!port) {
      if (pulse) return this.fail(id, { message: `device not open (${this.state}): cannot pulse DTR/RTS`, code: 'not-open' });
      this.sendStatus(); // applied at the next open
      return this.succeed(id);
    }
    const gone: WireError = { message: 'device went away while setting DTR/RTS', code: 'not-open' };
    if (pulse) {
      const refusal = await this.applySignals(port, false, false);
      if (refusal) this.fail(id, refusal);
      if (refusal || this.port !== port) {
        this.sendStatus();
        if (!refusal) this.fail(id, gone);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, pulseMs));
      if (this.port !== port) return this.fail(id, gone);
    }
    const refusal = await this.applySignals(port, target.dtr, target.rts);
    if (refusal) this.fail(id, refusal);
    this.sendStatus();
    if (!refusal) this.succeed(id);
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

  // ---- the bounded queue to the main thread ----

  private sendData(batch: Uint8Array, timeMs: number): void {
    this.unconsumedBytes += batch.byteLength;
    this.host.send({ type: 'data', data: batch, timeMs });
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
    this.host.send({ type: 'status', status });
  }

  /** A command done: answered when it carried an id (a write with its byte count). */
  private succeed(id: number | undefined, written?: number): void {
    if (id === undefined) return;
    this.host.send(written === undefined ? { type: 'result', id, ok: true } : { type: 'result', id, ok: true, written });
  }

  /** A command refused or failed: to its sender when it carried an id, else broadcast as an `error`. */
  private fail(id: number | undefined, error: WireError, written?: number): void {
    if (id === undefined) return this.sendError(error);
    this.host.send(
      written === undefined ? { type: 'result', id, ok: false, error } : { type: 'result', id, ok: false, error, written },
    );
  }

  private sendError(error: WireError): void {
    this.host.send({ type: 'error', error });
  }
}
