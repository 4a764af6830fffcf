// Puts a remote port's stream back together at the fleet console: live frames, replayed frames and
// `missing` ranges arrive by node offset, in any order and possibly twice; what leaves is each byte
// once, in offset order, with a skip for what the node no longer holds. A gap (frames beyond the
// end, or a node end the console has not reached) is filled by one fetch at a time. Pure: the
// MQTT side and the channel are behind AssemblerSink, the clock behind `schedule`.
import type { SkipReason } from '../wire/protocol.js';

/**
 * How long a fetch may go unanswered before it is sent again, in ms: a node replays from its
 * capture in well under a second; longer means the request or its answer was lost (a broker restart).
 */
export const FETCH_RETRY_MS = 5_000;
/**
 * Most bytes held back while a gap before them is being filled, in bytes: minutes of 115200-baud
 * output. Past it the gap is given up (reported as not buffered) so memory stays bounded.
 */
export const MAX_HELD_BYTES = 8 * 1024 * 1024;
/**
 * Answered fetches in a row that still leave the same hole before it is given up: the node names
 * what it does not hold with `missing` frames, so a hole after an answer means replayed frames
 * were lost on the way (a broker dropping QoS 1 messages to an overloaded console); a few more
 * tries fill it, and the bound keeps a node that never sends the range from being asked forever.
 */
export const MAX_INCOMPLETE_ANSWERS = 5;

/** Where the assembled stream goes, and how to ask the node for a range. */
export interface AssemblerSink {
  /** Bytes at `offset`, which is always the assembler's end before the call. */
  append(bytes: Uint8Array, offset: number, timeMs: number): void;
  /** [end, to) will never come: readers are told why. */
  skip(to: number, reason: SkipReason): void;
  /** Ask the node to replay [from, to). */
  fetch(from: number, to: number): void;
}

/** Runs `run` after `ms`; returns a cancel function (setTimeout in service, a manual clock in tests). */
export type Schedule = (ms: number, run: () => void) => () => void;

interface Held {
  offset: number;
  end: number;
  /** null: a range the node does not hold. */
  bytes: Uint8Array | null;
  timeMs: number;
}

/** One remote port's reassembly, in node offsets. */
export class StreamAssembler {
  private held: Held[] = []; // sorted by offset
  private heldBytes = 0;
  private fetching: { from: number; to: number; cancel: () => void } | null = null;
  private knownEnd = 0;
  /** Where the last incomplete answer left a hole, and how many answers in a row left it. */
  private incomplete = { from: -1, count: 0 };

  /**
   * `end`: the next offset the console needs (the end of its own copy). `maxFetchBytes`: the most
   * one hole is filled with (the console's retention: fetching more than it keeps is wasted); the
   * older part of a larger hole is skipped as not buffered.
   */
  constructor(
    private endOffset: number,
    private readonly sink: AssemblerSink,
    private readonly schedule: Schedule,
    private readonly maxHeldBytes = MAX_HELD_BYTES,
    private readonly maxFetchBytes = Infinity,
  ) {
    this.knownEnd = endOffset;
  }

  /** The next offset needed: everything below it was appended or skipped. */
  get end(): number {
    return this.endOffset;
  }

  /** True while a fetch is unanswered. */
  get filling(): boolean {
    return this.fetching !== null;
  }

  /** Live or replayed bytes at `offset` (a copy is kept when they must wait: the caller's buffer may be reused). */
  data(offset: number, bytes: Uint8Array, timeMs: number): void {
    const end = offset + bytes.byteLength;
    if (end <= this.endOffset || bytes.byteLength === 0) return; // had it already
    this.noteEnd(end);
    if (offset <= this.endOffset) {
      this.sink.append(offset === this.endOffset ? bytes : bytes.subarray(this.endOffset - offset), this.endOffset, timeMs);
      this.endOffset = end;
      this.drain();
    } else this.hold({ offset, end, bytes: bytes.slice(), timeMs });
    this.checkGap();
  }

  /** The node no longer holds [offset, end). */
  missing(offset: number, end: number): void {
    if (end <= this.endOffset) return;
    this.noteEnd(end);
    this.hold({ offset, end, bytes: null, timeMs: 0 });
    this.drain();
    this.checkGap();
  }

  /**
   * The fetch ending at `to` is answered. A hole it left (frames lost on the way: the node sends
   * `missing` for what it does not hold) is fetched again, and given up as not buffered only after
   * MAX_INCOMPLETE_ANSWERS answers in a row leave it.
   */
  replayEnd(to: number): void {
    const fetch = this.fetching;
    if (!fetch || fetch.to !== to) return; // an answer to an earlier, retried fetch
    fetch.cancel();
    this.fetching = null;
    if (this.endOffset < to) {
      const from = this.endOffset;
      this.incomplete = { from, count: this.incomplete.from === from ? this.incomplete.count + 1 : 1 };
      if (this.incomplete.count >= MAX_INCOMPLETE_ANSWERS) {
        this.hold({ offset: from, end: to, bytes: null, timeMs: 0 });
        this.drain();
      }
    }
    this.checkGap();
  }

  /** The node's stream reaches `end` (its retained status): fetch up to there if the console is behind. */
  nodeEnd(end: number): void {
    this.noteEnd(end);
    this.checkGap();
  }

  /** Stops the retry timer (the port is closing or the link went away). */
  dispose(): void {
    this.fetching?.cancel();
    this.fetching = null;
    this.held = [];
    this.heldBytes = 0;
  }

  private noteEnd(end: number): void {
    if (end > this.knownEnd) this.knownEnd = end;
  }

  private hold(item: Held): void {
    let at = this.held.length;
    while (at > 0 && this.held[at - 1]!.offset > item.offset) at--;
    this.held.splice(at, 0, item);
    this.heldBytes += item.bytes?.byteLength ?? 0;
    // Waiting too long for a gap to fill: give it up rather than grow without bound.
    while (this.heldBytes > this.maxHeldBytes && this.held.length > 0 && this.held[0]!.offset > this.endOffset) {
      this.sink.skip(this.held[0]!.offset, 'not-buffered');
      this.endOffset = this.held[0]!.offset;
      this.drain();
    }
  }

  /** Appends or skips every held item that now starts at or before the end. */
  private drain(): void {
    while (this.held.length > 0 && this.held[0]!.offset <= this.endOffset) {
      const item = this.held.shift()!;
      this.heldBytes -= item.bytes?.byteLength ?? 0;
      if (item.end <= this.endOffset) continue;
      if (item.bytes === null) this.sink.skip(item.end, 'not-buffered');
      else this.sink.append(item.bytes.subarray(this.endOffset - item.offset), this.endOffset, item.timeMs);
      this.endOffset = item.end;
    }
  }

  /** One fetch at a time, for the first hole: up to the first held item, or to the node's known end. */
  private checkGap(): void {
    if (this.fetching) return;
    const to = this.held[0]?.offset ?? this.knownEnd;
    if (to <= this.endOffset) return;
    if (to - this.endOffset > this.maxFetchBytes) {
      // Held items all start at or after `to`: nothing to drain.
      this.sink.skip(to - this.maxFetchBytes, 'not-buffered');
      this.endOffset = to - this.maxFetchBytes;
    }
    const from = this.endOffset;
    const cancel = this.schedule(FETCH_RETRY_MS, () => {
      if (this.fetching?.to !== to) return;
      this.fetching = null;
      this.checkGap();
    });
    this.fetching = { from, to, cancel };
    this.sink.fetch(from, to);
  }
}
