// A port's line reader: the one place its stream becomes lines, records and series, once per port
// however many pages, SSE streams or bridges watch them. It follows the channel with its own cursor,
// like any reader: bytes come from the memory ring by offset, with their arrival times from a small
// index fed by the channel's `appended` callback; bytes it no longer finds there (at startup, the
// last hour's backfill; or after falling behind the ring) come from the capture, with the times
// recorded on disk. It never loses a line it could read and never holds up the channel: appended()
// only notes an offset and a time, and the framing runs later, in bounded turns.
import type { CaptureRecord } from '../capture/capture-types.js';
import { ArrivalIndex } from './arrival-index.js';
import { LineFramer, type FramedLine, type LineFramerOptions } from './line-framer.js';
import { RecordDetector, type RecordCounts } from './records/record-detector.js';
import type { ParsedRecord } from './records/record-types.js';
import { SERIES_WINDOW_MS, SeriesStore, type SeriesStoreOptions } from './series-store.js';
import { clipData } from './clip-data.js';

/** Bytes framed per event-loop turn before yielding, in bytes: 256 KiB (~5 ms of framing and parsing on a Pi), so an hour's backfill or a catch-up never stalls the WebSocket fan-out. */
export const LINES_BYTES_PER_TURN = 256 * 1024;

/** What the reader needs of a channel (server/ports/channel.ts's Channel, with the `appended` callback). */
export interface LineChannel {
  readonly memory: { readonly start: number; readonly end: number; read(offset: number, maxBytes: number): Uint8Array[] };
  /** Bytes below this may be handed out (the capture's durable reservation). */
  readonly deliverableEnd: number;
  /** Oldest offset readable at all. */
  readonly oldest: number;
  /** `appended` is called on every append with the chunk, the stream offset of its first byte and that byte's arrival time. */
  subscribe(listener: { data(): void; appended?(bytes: Uint8Array, offset: number, timeMs: number): void }): () => void;
  /** Records in [from, to) with arrival times, from the capture (or the memory ring stamped now when there is none). */
  records(from: number, to: number, signal?: AbortSignal): AsyncIterable<CaptureRecord>;
  /** First offset whose byte arrived at or after `timeMs`. */
  offsetAtTime(timeMs: number): Promise<number>;
}

/** What a subscriber hears. Lines include partials (replaced later by the complete line with the same offset); records come from complete lines only. */
export interface LinesListener {
  line?(line: FramedLine): void;
  record?(record: ParsedRecord): void;
  /** Offsets [from, to) could not be read (retention, a crash, a capture pause, or a memory-only port that fell behind): no lines come from them. */
  gap?(from: number, to: number): void;
}

/** The clock and timer the reader uses (injected for tests). */
export interface LinesClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options; every one has a default. */
export interface PortLinesOptions {
  /** How far back start() reads the capture, in ms (default SERIES_WINDOW_MS, one hour). */
  backfillMs?: number;
  series?: SeriesStoreOptions;
  framer?: LineFramerOptions;
  clock?: LinesClock;
  /** Runs `callback` in a later turn of the event loop (default: setImmediate): framing never runs inside the channel's append. */
  defer?: (callback: () => void) => void;
  /** Hears a listener's exception (default: console.error); the reader carries on. */
  onError?: (error: unknown) => void;
}

/** Counts for the page: records vs text, partial lines shown, offsets skipped, and where the reader is. */
export interface PortLinesStats extends RecordCounts {
  partials: number;
  gapBytes: number;
  offset: number;
}

const EMPTY = new Uint8Array(0);

const SYSTEM_CLOCK: LinesClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Frames, parses and stores one port's stream. Construct, then await start(); close() when the port goes. */
export class PortLines {
  /** The port's series (numeric fields over the window) and latest values. */
  readonly series: SeriesStore;
  private readonly framer: LineFramer;
  private readonly detector = new RecordDetector();
  private readonly index = new ArrivalIndex();
  private readonly listeners = new Set<LinesListener>();
  private readonly clock: LinesClock;
  private readonly defer: (callback: () => void) => void;
  private readonly onError: (error: unknown) => void;
  private readonly backfillMs: number;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;
  private cursor = 0;
  private started = false;
  private closed = false;
  private draining: Promise<void> | null = null;
  private scheduled = false;
  private quietTimer: unknown = null;
  private quietTimerDueMs: number | null = null;
  private partials = 0;
  private gapBytes = 0;
  private lineBoundary = 0;

  constructor(
    private readonly channel: LineChannel,
    options: PortLinesOptions = {},
  ) {
    this.series = new SeriesStore(options.series);
    this.framer = new LineFramer(options.framer);
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.defer = options.defer ?? ((callback) => setImmediate(callback));
    this.onError = options.onError ?? ((error) => console.error('serialdeck lines:', error));
    this.backfillMs = options.backfillMs ?? SERIES_WINDOW_MS;
    // Subscribe first: every chunk appended from now on has its time indexed; older ones are read from the capture.
    this.unsubscribe = channel.subscribe({
      data: () => this.schedule(),
      appended: (_bytes, offset, timeMs) => {
        this.index.add(offset, timeMs);
        this.schedule();
      },
    });
  }

  /** Reads the last `backfillMs` of the capture (series show the last hour at once), then follows the live stream. Resolves once caught up. */
  async start(): Promise<void> {
    const from = await this.channel.offsetAtTime(this.clock.now() - this.backfillMs);
    if (this.closed) return;
    this.cursor = Math.min(Math.max(from, this.channel.oldest), this.channel.deliverableEnd);
    this.lineBoundary = this.cursor;
    this.started = true;
    await this.drain();
  }

  /** Next stream offset the reader will frame. */
  get offset(): number {
    return this.cursor;
  }

  /**
   * Where the next complete line will start: the end of the last complete line delivered (or of the
   * last gap). Every complete line delivered so far ended at or before it; none delivered later does.
   * A reader replaying the stream up to here can join the live lines without loss or repetition.
   */
  get boundary(): number {
    return this.lineBoundary;
  }

  /** The open line framed so far, as a partial, not yet shown (null: none open). With caughtUp(): everything the device sent up to now. */
  get openLine(): FramedLine | null {
    return this.framer.peek();
  }

  /** Resolves once every byte deliverable when it was called has been framed (or the reader closed). */
  async caughtUp(): Promise<void> {
    const target = this.channel.deliverableEnd;
    while (!this.closed && this.started && this.cursor < target) {
      if (this.draining) await this.draining;
      else await this.yieldTurn(); // a drain is scheduled for the next turn
    }
  }

  /** Parsed vs text counts, partials, skipped bytes, and the reader's offset. */
  get stats(): PortLinesStats {
    return { ...this.detector.stats, partials: this.partials, gapBytes: this.gapBytes, offset: this.cursor };
  }

  /** Hears lines, records and gaps from now on, until the returned function is called. */
  subscribe(listener: LinesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops reading: unsubscribes from the channel, stops timers and any capture read. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.abort.abort();
    if (this.quietTimer !== null) this.clock.clearTimeout(this.quietTimer);
    this.quietTimer = null;
    this.listeners.clear();
  }

  /** Frames whatever is deliverable, in a later turn; one drain at a time (a drain re-reads the channel's end until it has caught up). */
  private schedule(): void {
    if (!this.started || this.closed || this.draining || this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private yieldTurn(): Promise<void> {
    return new Promise((resolve) => this.defer(resolve));
  }

  private drain(): Promise<void> {
    if (this.draining) return this.draining;
    this.draining = this.run()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.draining = null;
        this.armQuietTimer();
        // An append between the end of run() and here would have found draining set: look once more.
        if (!this.closed && this.cursor < this.channel.deliverableEnd) this.schedule();
      });
    return this.draining;
  }

  private async run(): Promise<void> {
    let budget = LINES_BYTES_PER_TURN;
    for (;;) {
      if (budget <= 0) {
        await this.yieldTurn();
        budget = LINES_BYTES_PER_TURN;
      }
      if (this.closed) return;
      const target = this.channel.deliverableEnd;
      if (this.cursor >= target) return;
      const memoryStart = this.channel.memory.start;
      const known = this.cursor >= memoryStart ? this.index.lookup(this.cursor) : null;
      if (known) {
        budget -= this.feedFromMemory(target, known.timeMs, known.nextOffset);
        continue;
      }
      // No time known for the cursor's bytes, or they left memory: the capture has both, up to where the index takes over.
      const indexStart = this.index.start;
      const covered = indexStart === null ? Infinity : Math.max(indexStart, memoryStart);
      const to = Math.min(target, covered);
      budget = await this.feedFromRecords(to, budget);
    }
  }

  /** Frames the memory ring's bytes of one appended chunk, from the cursor up to the chunk's end (or `target`); returns the bytes framed. */
  private feedFromMemory(target: number, timeMs: number, nextOffset: number | null): number {
    const end = Math.min(nextOffset ?? this.channel.memory.end, target);
    const from = this.cursor;
    let offset = from;
    for (const view of this.channel.memory.read(from, end - from)) {
      this.feed(view, offset, timeMs);
      offset += view.byteLength;
    }
    this.cursor = Math.max(offset, from);
    this.index.dropBefore(this.cursor);
    return this.cursor - from;
  }

  /** Frames the capture's data records from the cursor to `to`; what they lack is reported as a gap. Returns the turn's remaining byte budget. */
  private async feedFromRecords(to: number, budget: number): Promise<number> {
    try {
      for await (const record of this.channel.records(this.cursor, to, this.abort.signal)) {
        if (this.closed) return budget;
        if (record.kind !== 'data') continue;
        const clipped = clipData(record.bytes, record.offset, this.cursor, to);
        if (clipped === null) continue;
        if (clipped === 'end') break;
        const { bytes, offset } = clipped;
        if (offset > this.cursor) this.skip(offset);
        this.feed(bytes, offset, record.timeMs);
        this.cursor = offset + bytes.byteLength;
        budget -= bytes.byteLength;
        if (budget <= 0) {
          await this.yieldTurn();
          budget = LINES_BYTES_PER_TURN;
        }
      }
    } catch (error) {
      if (this.closed) return budget;
      this.onError(error); // a disk error: report, skip what could not be read, keep following the live stream
    }
    if (!this.closed && this.cursor < to) this.skip(to);
    return budget;
  }

  /** Moves the cursor over [cursor, to), telling listeners; a line open before the gap ends there. */
  private skip(to: number): void {
    const from = this.cursor;
    this.cursor = to;
    this.gapBytes += to - from;
    this.deliver(this.framer.push(EMPTY, to, 0));
    this.lineBoundary = to;
    for (const listener of this.listeners) this.call(() => listener.gap?.(from, to));
  }

  private feed(bytes: Uint8Array, offset: number, timeMs: number): void {
    this.deliver(this.framer.push(bytes, offset, timeMs));
  }

  private deliver(lines: FramedLine[]): void {
    for (const line of lines) {
      if (line.partial) this.partials++;
      else this.lineBoundary = line.endOffset;
      for (const listener of this.listeners) this.call(() => listener.line?.(line));
      const record = this.detector.read(line);
      if (!record) continue;
      this.series.add(record);
      for (const listener of this.listeners) this.call(() => listener.record?.(record));
    }
  }

  /** After a drain: if a line is open, come back when it has been quiet long enough to show it as partial. */
  private armQuietTimer(): void {
    const due = this.closed ? null : this.framer.quietDueMs;
    if (due === this.quietTimerDueMs && (due === null || this.quietTimer !== null)) return; // already set for then
    if (this.quietTimer !== null) this.clock.clearTimeout(this.quietTimer);
    this.quietTimer = null;
    this.quietTimerDueMs = due;
    if (due === null) return;
    this.quietTimer = this.clock.setTimeout(() => {
      this.quietTimer = null;
      this.quietTimerDueMs = null;
      if (this.closed || this.draining) return; // the drain re-arms when it ends
      this.deliver(this.framer.idle(this.clock.now()));
      if (this.framer.quietDueMs !== null && this.framer.quietDueMs > this.clock.now()) this.armQuietTimer();
    }, Math.max(0, due - this.clock.now()));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.onError(error);
    }
  }
}
