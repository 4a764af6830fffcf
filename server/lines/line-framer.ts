// Frames one port's byte stream into lines, each stamped with the arrival time of its FIRST byte
// (a stamp taken at the previous newline, or at the line's end, is the platformio-core #3712 bug),
// its start offset and its end offset. Written by hand rather than with
// @serialport/parser-readline: that parser is a Transform of bare strings, with no offsets, no
// arrival times, no quiet-period partials and no length cap, and its chunks lose the boundaries
// the times belong to. The shape follows serialport's parser-delimiter: a buffer and a scan.
//
// Rules:
// - Endings: LF, CRLF, or a lone CR (one not followed by LF). A CR at the end of a chunk is held
//   until the next byte (or a quiet period) decides which it was. `text` excludes the ending;
//   `endOffset` is one past it.
// - Partial lines (a prompt, `> `): after `quietMs` without new bytes the open line is emitted with
//   `partial: true`. When it completes it is emitted AGAIN, whole, with the same `offset` and
//   `partial: false`: a consumer keys lines by offset and replaces the partial. A partial is
//   re-emitted only if it grew. Records are parsed from complete lines only.
// - Runaway lines are cut at `maxLineBytes` (never inside a UTF-8 sequence) with `cut: 'max-length'`;
//   the rest continues as a new line at the cut offset.
// - A discontinuity (a chunk whose offset is not the previous chunk's end: a gap in the capture)
//   ends the open line with `cut: 'gap'`.
// - Time: a chunk carries the arrival time of its first byte; every byte of it is taken to have
//   arrived then (a serial read is a few ms of bytes), so a line starting mid-chunk gets the
//   chunk's time. Quiet periods are measured on those arrival times (a gap between chunks), or
//   by `idle(nowMs)` for the live tail, so a replay from the capture frames exactly as live did.
// - UTF-8 is decoded per line, so a character split across chunks decodes whole; invalid bytes
//   become U+FFFD.

/** Quiet period after which an open line is emitted as partial, in ms: 200 ms, longer than the gaps inside one printed line at 9600 baud (a 64-byte USB packet every ~67 ms) yet short enough that a prompt shows at once. */
export const LINE_QUIET_MS = 200;
/** Longest line kept whole, in bytes: 4 KiB. A 10-field JSON reading is ~200 bytes; a stream with no newline (binary, a runaway print) is cut here so a port's framer never holds more. */
export const LINE_MAX_BYTES = 4 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** One line of the stream. `offset`..`endOffset` are stream offsets (the ending included); `timeMs` is the arrival of its first byte, ms since the epoch. */
export interface FramedLine {
  offset: number;
  endOffset: number;
  timeMs: number;
  text: string;
  /** True for an open line shown after a quiet period; the complete line follows later with the same offset. */
  partial: boolean;
  /** Set when the line did not end with a line ending: cut at the length limit, or at a gap in the stream. */
  cut?: 'max-length' | 'gap';
}

/** Tuning, for tests; the defaults are the constants above. */
export interface LineFramerOptions {
  quietMs?: number;
  maxLineBytes?: number;
}

/** A stateful line framer for one stream. Feed chunks in stream order with push(); call idle() when no bytes have come for a while. */
export class LineFramer {
  private readonly quietMs: number;
  private readonly maxLineBytes: number;
  private readonly buf: Uint8Array;
  private readonly decoder = new TextDecoder('utf-8');
  private len = 0;
  private open = false;
  private lineOffset = 0;
  /** Arrival time of each run of bytes in the open line: markAt[i] is the line index where markTime[i] starts. */
  private markAt: number[] = [];
  private markTime: number[] = [];
  private expected: number | null = null;
  private lastTimeMs = -Infinity;
  /** The open line ended with a CR at the end of a chunk: LF or not decides its ending. */
  private pendingCR = false;
  /** A lone-CR line was closed by a quiet period: an LF arriving right after it is part of its ending. */
  private swallowLF = false;
  /** Length at which the open line was last emitted as partial (0: never). */
  private partialLen = 0;

  constructor(options: LineFramerOptions = {}) {
    this.quietMs = options.quietMs ?? LINE_QUIET_MS;
    this.maxLineBytes = Math.max(4, options.maxLineBytes ?? LINE_MAX_BYTES);
    this.buf = new Uint8Array(this.maxLineBytes);
  }

  /** Stream offset of the next byte expected (null before the first chunk). */
  get nextOffset(): number | null {
    return this.expected;
  }

  /** True while a line is open (bytes without an ending yet, or a CR awaiting its next byte). */
  get hasOpenLine(): boolean {
    return this.open;
  }

  /** Frames a chunk: `bytes` at stream `offset`, its first byte having arrived at `timeMs`. Returns the lines it completed (and any partial a quiet gap before it revealed). */
  push(bytes: Uint8Array, offset: number, timeMs: number): FramedLine[] {
    const out: FramedLine[] = [];
    if (this.expected !== null && offset !== this.expected) this.closeAtGap(out);
    else if (this.open && timeMs - this.lastTimeMs >= this.quietMs) this.quiet(out);
    if (bytes.byteLength === 0) {
      this.expected = offset;
      return out;
    }
    this.expected = offset + bytes.byteLength;
    this.lastTimeMs = timeMs;
    let i = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (bytes[0] === LF) i = 1;
      this.emit(out, offset + i, false);
    } else if (this.swallowLF) {
      if (bytes[0] === LF) i = 1;
    }
    this.swallowLF = false;
    let start = i;
    const n = bytes.byteLength;
    while (i < n) {
      const b = bytes[i]!;
      if (b !== LF && b !== CR) {
        i++;
        continue;
      }
      this.append(out, bytes, start, i, offset, timeMs);
      if (!this.open) this.openLine(offset + i, timeMs);
      if (b === LF) {
        this.emit(out, offset + i + 1, false);
        i += 1;
      } else if (i + 1 < n) {
        const crlf = bytes[i + 1] === LF;
        this.emit(out, offset + i + (crlf ? 2 : 1), false);
        i += crlf ? 2 : 1;
      } else {
        this.pendingCR = true; // the next chunk says whether this was CRLF
        i += 1;
      }
      start = i;
    }
    this.append(out, bytes, start, n, offset, timeMs);
    return out;
  }

  /** Call when no bytes came for a while (the live tail): once `nowMs` is `quietMs` past the newest chunk, the open line is emitted as partial (or a held CR ends its line). */
  idle(nowMs: number): FramedLine[] {
    const out: FramedLine[] = [];
    if (this.open && nowMs - this.lastTimeMs >= this.quietMs) this.quiet(out);
    return out;
  }

  /** The open line as it stands, as a partial (null when none is open, or only a held CR), without emitting it: for a reader that must show everything up to now. */
  peek(): FramedLine | null {
    if (!this.open || this.len === 0) return null;
    return {
      offset: this.lineOffset,
      endOffset: this.lineOffset + this.len,
      timeMs: this.markTime[0]!,
      text: this.decoder.decode(this.buf.subarray(0, this.len)),
      partial: true,
    };
  }

  /** When idle() would act, ms since the epoch: the newest chunk's time plus the quiet period (null if no line is open). */
  get quietDueMs(): number | null {
    return this.open ? this.lastTimeMs + this.quietMs : null;
  }

  /** Emits the open line as a partial, or ends a line held on a CR. */
  private quiet(out: FramedLine[]): void {
    if (this.pendingCR) {
      this.pendingCR = false;
      this.swallowLF = true;
      this.emit(out, this.expected ?? this.lineOffset + this.len, false);
      return;
    }
    if (this.len > 0 && this.len !== this.partialLen) {
      this.partialLen = this.len;
      out.push({
        offset: this.lineOffset,
        endOffset: this.lineOffset + this.len,
        timeMs: this.markTime[0]!,
        text: this.decoder.decode(this.buf.subarray(0, this.len)),
        partial: true,
      });
    }
  }

  /** A chunk did not follow the previous one: what was open ends where the stream broke off. */
  private closeAtGap(out: FramedLine[]): void {
    this.swallowLF = false;
    if (!this.open) return;
    if (this.pendingCR) {
      this.pendingCR = false;
      this.emit(out, this.expected!, false);
    } else this.emit(out, this.lineOffset + this.len, false, 'gap');
  }

  private openLine(offset: number, timeMs: number): void {
    this.open = true;
    this.lineOffset = offset;
    this.len = 0;
    this.partialLen = 0;
    this.markAt = [0];
    this.markTime = [timeMs];
  }

  /** Adds bytes[from, to) of a chunk at `offset` to the open line, cutting it at the length limit. */
  private append(out: FramedLine[], bytes: Uint8Array, from: number, to: number, offset: number, timeMs: number): void {
    while (from < to) {
      if (!this.open) this.openLine(offset + from, timeMs);
      else if (this.markTime[this.markTime.length - 1] !== timeMs) {
        this.markAt.push(this.len);
        this.markTime.push(timeMs);
      }
      const take = Math.min(to - from, this.maxLineBytes - this.len);
      this.buf.set(bytes.subarray(from, from + take), this.len);
      this.len += take;
      from += take;
      if (this.len === this.maxLineBytes) this.cutAtLimit(out);
    }
  }

  /** The open line filled the buffer: emit it up to a character boundary, keep the rest as the next line. */
  private cutAtLimit(out: FramedLine[]): void {
    const cut = utf8SafeCut(this.buf, this.len);
    const carry = this.len - cut;
    const carryOffset = this.lineOffset + cut;
    const carryTime = this.timeAt(cut);
    const marks = this.markAt.map((at, k) => [at - cut, this.markTime[k]!] as const).filter(([at]) => at > 0);
    this.len = cut;
    this.emit(out, carryOffset, false, 'max-length');
    if (carry === 0) return;
    this.buf.copyWithin(0, cut, cut + carry);
    this.openLine(carryOffset, carryTime);
    this.len = carry;
    for (const [at, time] of marks) {
      this.markAt.push(at);
      this.markTime.push(time);
    }
  }

  /** Arrival time of the open line's byte at `index`. */
  private timeAt(index: number): number {
    let time = this.markTime[0]!;
    for (let k = 0; k < this.markAt.length && this.markAt[k]! <= index; k++) time = this.markTime[k]!;
    return time;
  }

  private emit(out: FramedLine[], endOffset: number, partial: boolean, cut?: FramedLine['cut']): void {
    const line: FramedLine = {
      offset: this.lineOffset,
      endOffset,
      timeMs: this.markTime[0]!,
      text: this.len === 0 ? '' : this.decoder.decode(this.buf.subarray(0, this.len)),
      partial,
    };
    if (cut) line.cut = cut;
    out.push(line);
    this.open = false;
    this.len = 0;
    this.partialLen = 0;
    this.markAt = [];
    this.markTime = [];
  }
}

/** Where to cut `buf[0, len)` so no UTF-8 sequence is split: `len`, or the start of an incomplete sequence at its end. */
function utf8SafeCut(buf: Uint8Array, len: number): number {
  // Step back over continuation bytes (10xxxxxx) to the sequence's lead byte, at most 3.
  let p = len - 1;
  while (p >= 0 && len - p <= 3 && (buf[p]! & 0xc0) === 0x80) p--;
  if (p < 0) return len;
  const lead = buf[p]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > len - p && p > 0 ? p : len;
}
