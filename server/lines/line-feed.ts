// One reader's feed of a port's lines, records and gaps (an SSE client's): from a resume offset, or
// from now, in stream order, with nothing lost or told twice, and bounded memory however slow the
// reader. Live, it takes the port's line reader's events as they come. When its sink is full it
// lets go of them (the port and the other readers never wait for it) and later replays what it
// missed from the capture with a LineReplay, then joins the live events again at a line boundary:
// the lossless way, as a lossless WebSocket client lags instead of skipping.
//
// Joining: the replay reads up to the live reader's boundary (where its next complete line starts)
// and then, in the same synchronous step, subscribes; live lines ending at or before what the
// replay told are dropped. Both frame the same bytes with the same arrival times, so their lines
// start and end at the same offsets.
import type { FramedLine } from './line-framer.js';
import { LineReplay, type LineEvent, type ReplaySource } from './line-replay.js';
import type { LinesListener } from './port-lines.js';

/** Where a feed's events go. */
export interface FeedSink {
  /** Takes one event (a record follows its line). */
  send(event: LineEvent): void;
  /** True while the sink holds more than it should: the feed stops taking live events until drained() and replays them later. */
  readonly full: boolean;
  /** Resolves once the sink has room again (or is gone). */
  drained(): Promise<void>;
}

/** What a feed needs of the port's line reader (PortLines). */
export interface FeedLines {
  readonly boundary: number;
  subscribe(listener: LinesListener): () => void;
}

/** What a feed needs of the port's channel. */
export interface FeedChannel extends ReplaySource {
  readonly deliverableEnd: number;
}

/** Options: where to start (null: now, the newest byte), and who hears a failure (a disk error while replaying; the feed has then stopped). */
export interface LineFeedOptions {
  from: number | null;
  onError(error: unknown): void;
}

/** A feed; start() it, close() it when its reader goes. */
export class LineFeed {
  private resumeAt: number;
  private unsubscribe: (() => void) | null = null;
  private readonly abort = new AbortController();
  private closed = false;
  private replays = 0;

  constructor(
    private readonly lines: FeedLines,
    private readonly channel: FeedChannel,
    private readonly sink: FeedSink,
    private readonly options: LineFeedOptions,
  ) {
    const end = channel.deliverableEnd;
    // An offset beyond anything delivered (another stream's, or a typo) starts from now, as a new reader.
    this.resumeAt = options.from === null ? end : Math.min(options.from, end);
  }

  /** Offset to resume from to continue exactly after what was told: the end of the last complete line or gap (a partial line is told again, whole). */
  get position(): number {
    return this.resumeAt;
  }

  /** Times the feed has replayed from the capture (at a resume, and each time it fell behind). */
  get replayCount(): number {
    return this.replays;
  }

  /** Starts: a resume replays from the capture first; a new reader joins the live events at once. */
  start(): void {
    if (this.options.from === null || this.resumeAt >= this.channel.deliverableEnd) this.join();
    else this.replay();
  }

  /** Stops for good (the reader went). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Takes the live reader's events from now on. */
  private join(): void {
    if (this.closed) return;
    let told: FramedLine | null = null; // the complete line whose record may follow
    this.unsubscribe = this.lines.subscribe({
      line: (line) => {
        if (line.endOffset <= this.resumeAt) return; // told already (by a replay, or before this reader came)
        if (this.sink.full) return this.fallBehind();
        this.sink.send({ type: 'line', line });
        told = line.partial ? null : line;
        if (!line.partial) this.resumeAt = line.endOffset;
      },
      record: (record) => {
        if (!told || record.offset !== told.offset) return;
        this.sink.send({ type: 'record', record, endOffset: told.endOffset });
        told = null;
      },
      gap: (from, to) => {
        told = null;
        if (to <= this.resumeAt) return;
        this.sink.send({ type: 'gap', from: Math.max(from, this.resumeAt), to });
        this.resumeAt = to;
      },
    });
  }

  /** The sink is full: stop taking live events; replay them from the capture once it drains. */
  private fallBehind(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.replay();
  }

  private replay(): void {
    this.replays++;
    this.catchUp().catch((error: unknown) => {
      if (this.closed) return;
      this.close();
      this.options.onError(error);
    });
  }

  private async catchUp(): Promise<void> {
    const replay = new LineReplay(this.channel, this.resumeAt);
    const signal = this.abort.signal;
    for (;;) {
      if (this.closed) return;
      if (this.sink.full) {
        await this.sink.drained();
        continue;
      }
      const target = this.lines.boundary;
      if (replay.position >= target) {
        // Caught up with the live reader: join it in this same step, so no live line slips between.
        for (const event of replay.finish()) this.tell(event);
        this.resumeAt = Math.max(this.resumeAt, replay.boundary);
        this.join();
        return;
      }
      for await (const event of replay.read(target, signal)) {
        if (this.closed) return;
        this.tell(event);
        if (this.sink.full) await this.sink.drained();
      }
    }
  }

  private tell(event: LineEvent): void {
    this.sink.send(event);
    if (event.type === 'line' && !event.line.partial) this.resumeAt = Math.max(this.resumeAt, event.line.endOffset);
    else if (event.type === 'gap') this.resumeAt = Math.max(this.resumeAt, event.to);
  }
}
