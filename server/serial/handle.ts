// The main thread's side of one serial worker: spawns it, relays typed messages (write buffers
// and data buffers transferred, never copied through a pool), remembers the latest status,
// restarts a worker that dies with backoff, and closes it within a bounded time. It keeps the
// ids of commands awaiting their result, so every one is answered exactly once, even when the
// worker cannot take the command or dies before answering.
import { Worker } from 'node:worker_threads';
import { checkBaudRate, checkDataBits, checkFlow, checkPacingDelay, checkParity, checkReleaseMs, checkStopBits, DEFAULT_FRAMING } from '../wire/limits.js';
import { describeFraming, type DeviceStatus } from '../wire/protocol.js';
import { DEMO_PATH } from './devices/demo/demo-board.js';
import type { CommandResult, FromWorker, SerialOptions, ToWorker, WireError } from './messages.js';
import { releaseDeviceFds } from './devices/release-device-fds.js';
import type { Requester } from '../ports/command-path.js';

/** First restart delay after a worker dies, in ms: a one-off crash should cost next to nothing. */
export const RESTART_MIN_MS = 200;
/** Longest restart delay, in ms: a worker that keeps dying is retried this often, not in a hot loop. */
export const RESTART_MAX_MS = 10_000;
/** A worker that ran this long before dying restarts at RESTART_MIN_MS again, in ms: its crash was not a loop. */
export const RESTART_STABLE_MS = 30_000;
/**
 * The main thread reports `consumed` data to the worker in steps of this many bytes: one small
 * message per 256 KiB (every ~23 s at 115200 baud), well under the worker's resume threshold.
 */
export const READ_ACK_BYTES = 256 * 1024;
/** How long close() waits for the worker to close the device and exit before terminating it, in ms. */
export const CLOSE_TIMEOUT_MS = 3000;

/** The main thread's handle on one port's worker. */
export interface SerialHandle {
  /**
   * Sends a message to the worker; a `write` message's data buffer is transferred. A command with
   * an id gets exactly one `result` through onMessage, never from within post() itself.
   */
  post(message: ToWorker, requester?: Requester): void;
  /** The latest device status seen (or synthesized: 'restarting' while the worker is being restarted). */
  readonly status: DeviceStatus;
  /** Closes the device, waits (bounded) for the worker to exit; safe to call twice. */
  close(): Promise<void>;
}

/** Observers for tests and diagnostics (a test kills the worker to prove it is restarted); not needed to serve. */
export interface SerialHandleHooks {
  /** Called with every worker thread started, the first and each restart. */
  spawned?(worker: Worker): void;
}

/** Spawns the worker for `options` (it opens the device at once) and calls `onMessage` for everything it sends. */
export function createSerialHandle(
  options: SerialOptions,
  onMessage: (message: FromWorker) => void,
  hooks: SerialHandleHooks = {},
): SerialHandle {
  return new WorkerHandle(options, onMessage, hooks);
}

/**
 * Starts the worker thread: worker.js from the build; worker.ts when running from source (tests).
 * Node 20 ignores `--import tsx` in a Worker's execArgv ("Unknown file extension .ts"), so from
 * source a two-line bootstrap registers tsx's hooks inside the thread, then imports worker.ts.
 */
function spawnWorker(workerData: SerialOptions): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const tsxApi = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const entry = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
    const bootstrap = `import(${tsxApi}).then(({ register }) => { register(); return import(${entry}); });`;
    return new Worker(bootstrap, { eval: true, workerData });
  }
  return new Worker(new URL('./worker.js', import.meta.url), { workerData });
}

/** A view that is the whole of a plain ArrayBuffer can be transferred as is; anything else is copied first. */
function transferable(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return whole ? (data as Uint8Array<ArrayBuffer>) : data.slice();
}

class WorkerHandle implements SerialHandle {
  private readonly options: SerialOptions;
  private current: DeviceStatus;
  private worker: Worker | undefined;
  private startedAt = 0;
  private restartDelayMs = RESTART_MIN_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private closing: Promise<void> | undefined;
  /** Ids of commands posted to a worker and not yet answered. */
  private readonly outstanding = new Set<number>();

  constructor(
    options: SerialOptions,
    private readonly onMessage: (message: FromWorker) => void,
    private readonly hooks: SerialHandleHooks,
  ) {
    this.options = { ...options };
    const framing = {
      dataBits: options.dataBits ?? DEFAULT_FRAMING.dataBits,
      parity: options.parity ?? DEFAULT_FRAMING.parity,
      stopBits: options.stopBits ?? DEFAULT_FRAMING.stopBits,
      flow: options.flow ?? DEFAULT_FRAMING.flow,
    };
    this.current = {
      state: 'opening',
      path: options.path,
      baudRate: options.baudRate,
      dtr: null,
      rts: null,
      charDelayMs: options.charDelayMs,
      lineDelayMs: options.lineDelayMs,
      ...framing,
      framing: describeFraming({ baudRate: options.baudRate, ...framing }),
      signals: 'unknown',
    };
    this.spawn();
  }

  get status(): DeviceStatus {
    return this.current;
  }

  post(message: ToWorker): void {
    if (this.closing) {
      if ('id' in message) this.answerLater(message, { message: 'serial port closed', code: 'closed' });
      return;
    }
    // Settings are remembered here too, so a restarted worker reopens with them.
    if (message.type === 'set-signals' && message.pulseMs === undefined) {
      if (message.dtr !== undefined) this.options.dtr = message.dtr;
      if (message.rts !== undefined) this.options.rts = message.rts;
    }
    // Framing is kept from what was asked, not from the status: a pty shows 8N1 whatever it was asked.
    if (message.type === 'set-framing' && this.framingRefusal(message) === null) {
      const { type: _type, id: _id, ...fields } = message;
      for (const [key, value] of Object.entries(fields)) if (value !== undefined) Object.assign(this.options, { [key]: value });
    }
    const worker = this.worker;
    if (!worker) {
      this.whileRestarting(message);
      return;
    }
    if ('id' in message && message.id !== undefined) this.outstanding.add(message.id);
    if (message.type === 'write') {
      const data = transferable(message.data);
      worker.postMessage({ type: 'write', data, id: message.id } satisfies ToWorker, [data.buffer]);
    } else {
      worker.postMessage(message);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private spawn(): void {
    const worker = spawnWorker(this.options);
    this.worker = worker;
    this.startedAt = Date.now();
    this.lastError = undefined;
    let unackedBytes = 0;
    worker.on('message', (message: FromWorker) => {
      if (this.worker !== worker) return;
      if (message.type === 'status') this.remember(message.status);
      // Exactly once: a result whose id was already answered (or never asked) goes no further.
      if (message.type === 'result' && !this.outstanding.delete(message.id)) return;
      const dataBytes = message.type === 'data' ? message.data.byteLength : 0;
      this.onMessage(message);
      if (dataBytes === 0) return;
      // Handed on (the hub keeps what it needs): tell the worker, which bounds what is in flight.
      unackedBytes += dataBytes;
      if (unackedBytes >= READ_ACK_BYTES) {
        worker.postMessage({ type: 'consumed', bytes: unackedBytes } satisfies ToWorker);
        unackedBytes = 0;
      }
    });
    // An uncaught exception in the worker: 'exit' follows, which restarts it.
    worker.on('error', (error) => {
      this.lastError = error.message;
    });
    worker.on('messageerror', (error) => {
      this.onMessage({ type: 'error', error: { message: `unreadable message from the serial worker: ${error.message}` } });
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const reason = this.closing ? 'serial port closed' : `serial worker stopped (${this.lastError ?? `exit code ${code}`})`;
      this.answerOutstanding({ message: `${reason} before answering`, code: this.closing ? 'closed' : 'worker-exited' });
      if (this.closing) return;
      this.scheduleRestart(this.lastError ?? `exit code ${code}`);
    });
    this.hooks.spawned?.(worker);
  }

  private remember(status: DeviceStatus): void {
    this.current = status;
    // A release outlives the worker: one restarted before it ends starts released (see SerialOptions).
    this.options.releasedUntilMs = status.state === 'released' ? status.releasedUntilMs : undefined;
    this.options.baudRate = status.baudRate;
    this.options.charDelayMs = status.charDelayMs;
    this.options.lineDelayMs = status.lineDelayMs;
    // A reset pulse's momentary lines are not settings: only remembered from an open device between commands.
    if (status.dtr !== null) this.options.dtr = status.dtr;
    if (status.rts !== null) this.options.rts = status.rts;
  }

  private framingRefusal(message: Extract<ToWorker, { type: 'set-framing' }>): string | null {
    const { dataBits, parity, stopBits, flow } = message;
    return (
      (dataBits === undefined ? null : checkDataBits(dataBits)) ??
      (parity === undefined ? null : checkParity(parity)) ??
      (stopBits === undefined ? null : checkStopBits(stopBits)) ??
      (flow === undefined ? null : checkFlow(flow))
    );
  }

  private scheduleRestart(reason: string): void {
    const ranStable = Date.now() - this.startedAt >= RESTART_STABLE_MS;
    const delayMs = ranStable ? RESTART_MIN_MS : this.restartDelayMs;
    this.restartDelayMs = Math.min(delayMs * 2, RESTART_MAX_MS);
    this.current = {
      ...this.current,
      state: 'restarting',
      dtr: null,
      rts: null,
      message: `serial worker stopped (${reason}); restarting in ${delayMs} ms`,
    };
    this.onMessage({ type: 'status', status: this.current });
    // The path the dead worker last reported: with a USB match, where it found the device.
    const devicePath = this.current.path;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.closing) return;
      // The dead worker may have left the device's lock open; the next one needs it.
      const released = this.options.path === DEMO_PATH ? Promise.resolve(0) : releaseDeviceFds(devicePath);
      void released.then(() => {
        if (!this.closing) this.spawn();
      });
    }, delayMs);
  }

  /** A message that arrives while no worker runs: settings are kept for the next one (answered ok), writes and the rest are refused. */
  private whileRestarting(message: ToWorker): void {
    const notRunning = (what: string): WireError => ({ message: `serial worker restarting: ${what}`, code: 'not-open' });
    switch (message.type) {
      case 'write': {
        const error = notRunning(`${message.data.byteLength} bytes not sent`);
        if (message.id === undefined) this.emitLater({ type: 'error', error });
        else this.answerLater(message, error);
        return;
      }
      case 'set-baud': {
        const refusal = checkBaudRate(message.baudRate);
        if (refusal !== null) return this.answerLater(message, { message: `bad baud rate: ${refusal}`, code: 'EINVAL' });
        this.options.baudRate = message.baudRate;
        this.current = { ...this.current, baudRate: message.baudRate, framing: describeFraming({ ...this.current, baudRate: message.baudRate }) };
        return this.answerLater(message);
      }
      case 'set-pacing': {
        const refusal = checkPacingDelay(message.charDelayMs) ?? checkPacingDelay(message.lineDelayMs);
        if (refusal !== null) return this.answerLater(message, { message: `bad pacing: delays ${refusal}`, code: 'EINVAL' });
        this.options.charDelayMs = message.charDelayMs;
        this.options.lineDelayMs = message.lineDelayMs;
        this.current = { ...this.current, charDelayMs: message.charDelayMs, lineDelayMs: message.lineDelayMs };
        return this.answerLater(message);
      }
      case 'set-framing': {
        const refusal = this.framingRefusal(message);
        if (refusal !== null) return this.answerLater(message, { message: `bad framing: ${refusal}`, code: 'EINVAL' });
        const { type: _type, id: _id, ...fields } = message;
        const framing = { ...this.current, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
        this.current = { ...framing, framing: describeFraming(framing) };
        return this.answerLater(message); // kept in post(): the next worker opens with it
      }
      case 'send-break':
        return this.answerLater(message, notRunning('cannot send a break'));
      case 'release': {
        // Kept for the next worker, which starts released: the device stays free for the upload.
        const refusal = checkReleaseMs(message.forMs);
        if (refusal !== null) return this.answerLater(message, { message: `bad release: ${refusal}`, code: 'EINVAL' });
        this.options.releasedUntilMs = Date.now() + message.forMs;
        return this.answerLater(message);
      }
      case 'reclaim':
        this.options.releasedUntilMs = undefined; // the next worker opens the device at once
        return this.answerLater(message);
      case 'set-signals':
        // The lines were kept in post(); a pulse needs an open device.
        if (message.pulseMs !== undefined) return this.answerLater(message, notRunning('cannot pulse DTR/RTS'));
        return this.answerLater(message);
      case 'open':
        // The new worker opens the device anyway; this request itself was not carried out.
        return this.answerLater(message, notRunning('it opens the device when it is back'));
      default:
        return; // close is handled by close(); consumed means nothing to a worker not yet started
    }
  }

  /** Answers a command the handle settles itself, after post() returns: ok, or refused with `error` (a write: none of it written). Without an id, nothing. */
  private answerLater(message: ToWorker, error?: WireError): void {
    if (!('id' in message) || message.id === undefined) return;
    const { id } = message;
    let result: CommandResult = { type: 'result', id, ok: true };
    if (error) result = message.type === 'write' ? { type: 'result', id, ok: false, error, written: 0 } : { type: 'result', id, ok: false, error };
    this.emitLater(result);
  }

  private emitLater(message: FromWorker): void {
    queueMicrotask(() => this.onMessage(message));
  }

  /** Answers every command still awaiting its result with `error` (the worker is gone; a write's count is unknown). */
  private answerOutstanding(error: WireError): void {
    const ids = [...this.outstanding];
    this.outstanding.clear();
    for (const id of ids) this.onMessage({ type: 'result', id, ok: false, error });
  }

  private async doClose(): Promise<void> {
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker) {
      const exited = once(worker, 'exit');
      worker.postMessage({ type: 'close' } satisfies ToWorker);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS);
      });
      const outcome = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') await worker.terminate();
      this.worker = undefined;
    }
    this.answerOutstanding({ message: 'serial port closed before answering', code: 'closed' });
    this.current = { ...this.current, state: 'closed', dtr: null, rts: null };
    delete this.current.message;
  }
}

/** Resolves when `worker` emits 'exit'. */
function once(worker: Worker, event: 'exit'): Promise<'exit'> {
  return new Promise((resolve) => worker.once(event, () => resolve('exit')));
}
