// Sends a long paste or a file to the device a frame at a time, so it can be watched and stopped.
// The server paces writes itself (baud, char and line delays) and queues up to 4 MiB per port, so
// handing it everything at once would "finish" in a moment while the device takes minutes, and Stop
// would stop nothing. Binary frames carry no id and get no answer when written, so the queue keeps
// only an estimate of the device's backlog (from the port's baud rate and pacing) under a short
// window, watches the socket's bufferedAmount, and stops when the server answers with a refusal.
import type { TimerHandle, Timers } from '../ui/timers.js';

/**
 * Estimated device time the queue lets the server hold at once, in ms: short, so Stop takes effect
 * within about this long on the wire, and long enough that the device never waits on the next frame.
 */
export const BACKLOG_WINDOW_MS = 300;
/** Socket bytes queued (bufferedAmount) above which nothing more is handed to the socket, in bytes. */
export const SOCKET_HIGH_WATER_BYTES = 256 * 1024;
/** How often a full socket is looked at again, in ms. */
const SOCKET_POLL_MS = 50;
/** Most frames sent in one turn of the event loop before yielding, so the page keeps drawing. */
const MAX_FRAMES_PER_TURN = 64;
/** Bits on the wire per byte, for the estimate: start + 8 data + stop (8N1; close enough for other framings). */
const BITS_PER_BYTE = 10;

/** What the device's writes cost, from its DeviceStatus. */
export interface DeviceRate {
  baudRate: number;
  charDelayMs: number;
  lineDelayMs: number;
}

/** One frame to send (a line with its ending, or a chunk of a file). */
export interface SendItem {
  bytes: Uint8Array;
}

/** How a job ended. `refused`: the server refused a frame (`reason`); `lost`: the socket could not take a frame. */
export type SendOutcome =
  | { kind: 'done' }
  | { kind: 'stopped' }
  | { kind: 'refused'; reason: string }
  | { kind: 'lost' };

/** Progress of a job: frames and bytes handed to the server so far, of the totals. */
export interface SendProgress {
  items: number;
  totalItems: number;
  bytes: number;
  totalBytes: number;
}

/** What a job reports. `finished` is called exactly once. */
export interface SendJobEvents {
  progress(progress: SendProgress): void;
  finished(outcome: SendOutcome, progress: SendProgress): void;
}

/** What the queue needs from the page. */
export interface SendQueueDeps {
  /** Sends one binary frame; false when it could not be sent (not connected, socket full). */
  send(bytes: Uint8Array): boolean;
  /** The socket's bufferedAmount, in bytes. */
  bufferedAmount(): number;
  /** The port's rate, or null when unknown (then only the socket paces). */
  rate(): DeviceRate | null;
  timers: Timers;
}

/** Estimated time the device takes to write `bytes` at `rate`, in ms: wire time, char delays and line delays. */
export function estimatedWriteMs(bytes: Uint8Array, rate: DeviceRate | null): number {
  if (rate === null) return 0;
  let lineEnds = 0;
  for (const byte of bytes) if (byte === 0x0a) lineEnds += 1;
  const wireMs = rate.baudRate > 0 ? (bytes.length * BITS_PER_BYTE * 1000) / rate.baudRate : 0;
  return wireMs + bytes.length * rate.charDelayMs + lineEnds * rate.lineDelayMs;
}

/** Splits `bytes` into items of at most `chunkBytes` (a file's frames). */
export function chunkItems(bytes: Uint8Array, chunkBytes: number): SendItem[] {
  if (!(chunkBytes > 0)) throw new RangeError(`chunkBytes must be positive, got ${chunkBytes}`);
  const items: SendItem[] = [];
  for (let start = 0; start < bytes.length; start += chunkBytes) items.push({ bytes: bytes.subarray(start, start + chunkBytes) });
  return items;
}

/** One job at a time: `start` a list of frames, `stop` it, tell it about a refusal with `refused`. */
export class SendQueue {
  private job: {
    items: readonly SendItem[];
    events: SendJobEvents;
    progress: SendProgress;
    timer: TimerHandle | null;
  } | null = null;
  /** When the device is estimated to have written everything handed over so far (timers.now() clock). */
  private busyUntilMs = 0;

  constructor(private readonly deps: SendQueueDeps) {}

  /** True while a job is sending. */
  active(): boolean {
    return this.job !== null;
  }

  /** Starts sending `items`; false (and nothing sent) when a job is already running. */
  start(items: readonly SendItem[], events: SendJobEvents): boolean {
    if (this.job) return false;
    const totalBytes = items.reduce((sum, item) => sum + item.bytes.length, 0);
    this.job = { items, events, progress: { items: 0, totalItems: items.length, bytes: 0, totalBytes }, timer: null };
    this.pump();
    return true;
  }

  /** Stops the job: nothing more is sent (frames already handed over still reach the device). */
  stop(): void {
    this.finish({ kind: 'stopped' });
  }

  /** The server refused a write while the job ran: it ends, reporting `reason`. */
  refused(reason: string): void {
    this.finish({ kind: 'refused', reason });
  }

  private pump(): void {
    const job = this.job;
    if (!job) return;
    job.timer = null;
    const { timers } = this.deps;
    for (let sent = 0; job.progress.items < job.items.length; sent++) {
      const now = timers.now();
      const backlogMs = Math.max(0, this.busyUntilMs - now);
      if (backlogMs > BACKLOG_WINDOW_MS) return this.wait(backlogMs - BACKLOG_WINDOW_MS);
      if (this.deps.bufferedAmount() > SOCKET_HIGH_WATER_BYTES) return this.wait(SOCKET_POLL_MS);
      if (sent >= MAX_FRAMES_PER_TURN) return this.wait(0);
      const item = job.items[job.progress.items];
      if (!item) break;
      if (!this.deps.send(item.bytes)) return this.finish({ kind: 'lost' });
      this.busyUntilMs = Math.max(this.busyUntilMs, now) + estimatedWriteMs(item.bytes, this.deps.rate());
      job.progress = { ...job.progress, items: job.progress.items + 1, bytes: job.progress.bytes + item.bytes.length };
      job.events.progress(job.progress);
    }
    // Everything is handed over; at most BACKLOG_WINDOW_MS of it is still in the server's queue. A refusal
    // that comes back later shows as the server's error, like any other.
    this.finish({ kind: 'done' });
  }

  private wait(ms: number): void {
    if (this.job) this.job.timer = this.deps.timers.setTimeout(() => this.pump(), ms);
  }

  private finish(outcome: SendOutcome): void {
    const job = this.job;
    if (!job) return;
    this.job = null;
    if (job.timer !== null) this.deps.timers.clearTimeout(job.timer);
    job.events.finished(outcome, job.progress);
  }
}
