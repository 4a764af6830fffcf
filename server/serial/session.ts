// All serial logic of one port, written against an injected PortOpener so it runs in one
// process under test: opening and reopening (hot-plug), coalesced reads, the paced write
// queue, baud and modem-line changes. The worker file only wires it to its MessagePort.
import { checkBaudRate, checkPacingDelay } from '../wire/limits.js';
import type { DeviceState, DeviceStatus } from '../wire/protocol.js';
import type { FromWorker, SerialOptions, ToWorker, WireError } from './messages.js';
import { describeOpenError } from './devices/open-error.js';
import { toWireError, type OpenPort, type PortOpener } from './devices/port.js';
import { ReadBatcher } from './read-batcher.js';
import { WriteQueue } from './write-queue.js';

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
  /** Delivers a message to the main thread. A `data` message's array is fresh and may be transferred. */
  send(message: FromWorker): void;
}

/** One serial port's session. Call start(), feed it ToWorker messages with handle(), end with close(). */
export class SerialSession {
  private readonly options: SerialOptions;
  private state: DeviceState = 'opening';
  private message: string | undefined;
  private signals: { dtr: boolean | null; rts: boolean | null } = { dtr: null, rts: null };
  private port: OpenPort | undefined;
  private queue: WriteQueue | undefined;
  private readonly batcher: ReadBatcher;
  /** Bumped by every open attempt and by close, so a late result of an older attempt is discarded. */
  private generation = 0;
  private opening: Promise<void> | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  /** Control operations (baud, signals, pacing, writes) run one after another, in arrival order. */
  private ops: Promise<void> = Promise.resolve();
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
    this.batcher = new ReadBatcher((batch) => this.sendData(batch));
  }

  /** The status as last sent (or about to be). */
  get status(): DeviceStatus {
    const status: DeviceStatus = {
      state: this.state,
      path: this.options.path,
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

  /** Acts on one message from the main thread. Never throws: failures become `error` messages. */
  handle(message: ToWorker): void {
    if (this.closing && message.type !== 'close') return;
    switch (message.type) {
      case 'open':
        this.enqueueOp(() => this.reopen());
        return;
      case 'close':
        void this.close().then(() => this.host.send({ type: 'closed' }));
        return;
      case 'write':
        this.enqueueOp(async () => this.write(message.data));
        return;
      case 'consumed':
        this.onConsumed(message.bytes);
        return;
      case 'set-baud':
        this.enqueueOp(() => this.setBaud(message.baudRate));
        return;
      case 'set-signals':
        this.enqueueOp(() => this.setSignals(message.dtr, message.rts, message.pulseMs));
        return;
      case 'set-pacing':
        this.enqueueOp(async () => this.setPacing(message.charDelayMs, message.lineDelayMs));
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
    await this.dropPort('device closed');
    this.batcher.dispose();
    this.setState('closed', undefined);
  }

  private enqueueOp(op: () => Promise<void>): void {
    this.ops = this.ops.then(op).catch((error: unknown) => this.sendError(toWireError(error)));
  }

  // ---- opening, hot-plug ----

  private openNow(): Promise<void> {
    this.clearReopenTimer();
    const attempt = ++this.generation;
    const opening = this.tryOpen(attempt).finally(() => {
      if (this.opening === opening) this.opening = undefined;
    });
    this.opening = opening;
    return opening;
  }

  private async tryOpen(attempt: number): Promise<void> {
    const { path, baudRate } = this.options;
    let port: OpenPort;
    try {
      port = await this.host.opener.open(
        { path, baudRate },
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
      if (attempt !== this.generation || this.closing) return;
      this.waitForDevice(describeOpenError(path, toWireError(error)));
      return;
    }
    if (attempt !== this.generation || this.closing) {
      await port.close().catch(() => undefined);
      return;
    }
    this.port = port;
    this.queue = new WriteQueue(
      (slice) => port.write(slice),
      { charDelayMs: this.options.charDelayMs, lineDelayMs: this.options.lineDelayMs },
      (error, dropped) => this.sendError({ ...error, message: `write failed: ${error.message}; ${dropped} bytes not sent` }),
    );
    const refusal = await this.applySignals(port, this.options.dtr, this.options.rts);
    if (this.port !== port) return; // unplugged while setting the lines
    this.setState('open', refusal);
  }

  /** Sets the modem lines; on refusal (a pty has none) reports it, marks them unknown and returns the message. */
  private async applySignals(port: OpenPort, dtr: boolean, rts: boolean): Promise<string | undefined> {
    try {
      await port.setSignals({ dtr, rts });
      this.signals = { dtr, rts };
      return undefined;
    } catch (error) {
      const wire = toWireError(error);
      this.signals = { dtr: null, rts: null };
      const message = `${this.options.path} refused DTR/RTS (${wire.message}); the port stays open without them`;
      this.sendError({ ...wire, message });
      return message;
    }
  }

  private async onUnplugged(error: WireError): Promise<void> {
    await this.dropPort(`device went away (${error.message})`);
    if (this.closing) return;
    this.waitForDevice(`${this.options.path} disconnected (${error.message}); waiting for it to come back`);
  }

  private waitForDevice(message: string): void {
    this.setState('waiting', message);
    this.clearReopenTimer();
    this.reopenTimer = setTimeout(() => void this.openNow(), REOPEN_POLL_MS);
  }

  private async reopen(): Promise<void> {
    await this.dropPort('device reopened');
    if (this.closing) return;
    this.setState('opening', undefined);
    await this.openNow();
  }

  /** Forgets the open port: flushes reads, drops queued writes (reporting them), closes it. */
  private async dropPort(reason: string): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.port = undefined;
    this.batcher.flush();
    this.readPaused = false; // the next port starts reading; sendData pauses it again if still behind
    const dropped = this.queue?.dispose() ?? 0;
    this.queue = undefined;
    this.signals = { dtr: null, rts: null };
    if (dropped > 0) this.sendError({ message: `${reason}: ${dropped} queued bytes not sent`, code: 'not-sent' });
    await port.close().catch(() => undefined);
  }

  private clearReopenTimer(): void {
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
  }

  // ---- operations ----

  private write(data: Uint8Array): void {
    if (!this.queue) {
      this.sendError({ message: `device not open (${this.state}): ${data.byteLength} bytes not sent`, code: 'not-open' });
      return;
    }
    if (!this.queue.enqueue(data)) {
      this.sendError({
        message: `write queue full (${this.queue.queuedBytes} bytes waiting): ${data.byteLength} bytes not sent`,
        code: 'write-queue-full',
      });
    }
  }

  private async setBaud(baudRate: number): Promise<void> {
    const refusal = checkBaudRate(baudRate);
    if (refusal !== null) {
      this.sendError({ message: `bad baud rate: ${refusal}`, code: 'EINVAL' });
      return;
    }
    const port = this.port;
    if (port) {
      try {
        await port.setBaudRate(baudRate);
      } catch (error) {
        const wire = toWireError(error);
        this.sendError({ ...wire, message: `cannot set ${baudRate} baud: ${wire.message}` });
        return;
      }
    }
    this.options.baudRate = baudRate;
    this.sendStatus();
  }

  /** Sets DTR/RTS; with pulseMs, first holds both low (deasserted) for pulseMs: the Arduino auto-reset, like avrdude's. */
  private async setSignals(dtr: boolean | undefined, rts: boolean | undefined, pulseMs: number | undefined): Promise<void> {
    const pulse = pulseMs !== undefined;
    const target = { dtr: dtr ?? (pulse ? true : this.options.dtr), rts: rts ?? (pulse ? true : this.options.rts) };
    this.options.dtr = target.dtr;
    this.options.rts = target.rts;
    const port = this.port;
    if (!port) {
      if (pulse) this.sendError({ message: `device not open (${this.state}): cannot pulse DTR/RTS`, code: 'not-open' });
      else this.sendStatus(); // applied at the next open
      return;
    }
    if (pulse) {
      const refusal = await this.applySignals(port, false, false);
      if (refusal !== undefined || this.port !== port) return this.sendStatus();
      await new Promise((resolve) => setTimeout(resolve, pulseMs));
      if (this.port !== port) return;
    }
    await this.applySignals(port, target.dtr, target.rts);
    this.sendStatus();
  }

  private setPacing(charDelayMs: number, lineDelayMs: number): void {
    const refusal = checkPacingDelay(charDelayMs) ?? checkPacingDelay(lineDelayMs);
    if (refusal !== null) {
      this.sendError({ message: `bad pacing: delays ${refusal}`, code: 'EINVAL' });
      return;
    }
    this.options.charDelayMs = charDelayMs;
    this.options.lineDelayMs = lineDelayMs;
    this.queue?.setPacing({ charDelayMs, lineDelayMs });
    this.sendStatus();
  }

  // ---- the bounded queue to the main thread ----

  private sendData(batch: Uint8Array): void {
    this.unconsumedBytes += batch.byteLength;
    this.host.send({ type: 'data', data: batch });
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

  private sendError(error: WireError): void {
    this.host.send({ type: 'error', error });
  }
}
