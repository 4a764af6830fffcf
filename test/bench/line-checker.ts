// Checks one client's received stream line by line: every byte is either a good line in
// sequence, or is counted as lost, reordered, corrupted, or skipped with an announcement.
import { CORRUPT, PRIME, lineTemplate, readSeq, readTimeNs } from './line-format.js';

const NEWLINE = 0x0a;

/** What one client received, in bytes and lines, with its latencies. */
export interface CheckResult {
  /** Every byte received, well-formed or not. */
  rawBytes: number;
  goodLines: number;
  goodBytes: number;
  /** Lines that never arrived intact (a corrupted one counts here too), with no skipped-bytes notice to explain them. */
  lostBytes: number;
  /** Lines that arrived after a later one (duplicates included). */
  reorderedBytes: number;
  /** Bytes that are not a well-formed line and were not announced as skipped. */
  corruptedBytes: number;
  /** Bytes the server announced it skipped, and the number of announcements. */
  announcedSkippedBytes: number;
  skipNotices: number;
  /** Lines missing right after an announced skip: the announced gap, in whole lines. */
  skippedLines: number;
  /** hrtime (ns) of the first and the last good line's arrival. */
  firstLineNs: number;
  lastLineNs: number;
  /** Send → arrival of every good line from the checker's `latencyFromSeq` on, in ms (empty unless latency was recorded). */
  latenciesMs: number[];
  /** The same for the warm-up lines before it. */
  warmupLatenciesMs: number[];
}

/** Feed it chunks as they arrive; it keeps the count. Priming lines before the first data line are ignored. */
export class LineChecker {
  private readonly template: Buffer;
  private readonly lineBytes: number;
  private readonly recordLatency: boolean;
  private readonly latencyFromSeq: number;
  private carry: Buffer | null = null;
  /** Discarding up to the next newline: after corruption, or after an announced skip. */
  private resync: 'none' | 'corrupt' | 'skip' = 'none';
  private afterSkip = false;
  private started = false;
  private nextSeq = 0;
  private primes = 0;
  private waiters: { lines: number; resolve: () => void }[] = [];
  private primeWaiter: (() => void) | null = null;
  private readonly r: CheckResult = {
    rawBytes: 0,
    goodLines: 0,
    goodBytes: 0,
    lostBytes: 0,
    reorderedBytes: 0,
    corruptedBytes: 0,
    announcedSkippedBytes: 0,
    skipNotices: 0,
    skippedLines: 0,
    firstLineNs: 0,
    lastLineNs: 0,
    latenciesMs: [],
    warmupLatenciesMs: [],
  };

  /** With recordLatency, latencies go to latenciesMs from line `latencyFromSeq` on, to warmupLatenciesMs before it. */
  constructor(lineBytes: number, recordLatency: boolean, latencyFromSeq = 0) {
    this.template = lineTemplate(lineBytes);
    this.lineBytes = lineBytes;
    this.recordLatency = recordLatency;
    this.latencyFromSeq = latencyFromSeq;
  }

  /** Checks a received chunk; `nowNs` is process.hrtime.bigint() at its arrival, as a number. */
  push(chunk: Buffer, nowNs: number): void {
    this.r.rawBytes += chunk.length;
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    const L = this.lineBytes;
    let pos = 0;
    while (pos < buf.length) {
      if (this.resync === 'skip' && buf.length - pos >= L && readSeq(buf, pos, this.template) >= 0)
        this.resync = 'none'; // the skip ended on a line boundary: nothing to discard
      if (this.resync !== 'none') {
        const nl = buf.indexOf(NEWLINE, pos);
        const end = nl < 0 ? buf.length : nl + 1;
        if (this.resync === 'corrupt') this.r.corruptedBytes += end - pos;
        pos = end;
        if (nl >= 0) this.resync = 'none';
        continue;
      }
      if (buf.length - pos < L) {
        this.carry = Buffer.from(buf.subarray(pos));
        break;
      }
      const seq = readSeq(buf, pos, this.template);
      if (seq === CORRUPT || (seq === PRIME && this.started)) {
        // Not a line where one should start: count up to the next newline as corrupted.
        this.resync = 'corrupt';
        continue;
      }
      if (seq !== PRIME) this.acceptLine(seq, buf, pos, nowNs);
      else if (++this.primes === 1) this.primeWaiter?.();
      pos += L;
    }
    this.wake();
  }

  /** The server announced `bytes` skipped: the partial line and the gap that follow are not errors. */
  skipped(bytes: number): void {
    this.r.announcedSkippedBytes += bytes;
    this.r.skipNotices++;
    this.carry = null;
    this.resync = 'skip';
    this.afterSkip = true;
  }

  /** Resolves once a priming line has arrived: the path from the board to this client works. */
  primed(): Promise<void> {
    return this.primes > 0 ? Promise.resolve() : new Promise((resolve) => (this.primeWaiter = resolve));
  }

  /** Resolves once lines up to `lines - 1` have been seen (or skipped over). */
  reached(lines: number): Promise<void> {
    if (this.nextSeq >= lines) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ lines, resolve }));
  }

  /** Counts so far, mid-run: good lines and bytes, and every byte received. */
  progress(): { goodLines: number; goodBytes: number; rawBytes: number } {
    return { goodLines: this.r.goodLines, goodBytes: this.r.goodBytes, rawBytes: this.r.rawBytes };
  }

  /** The result, counting lines short of `totalLines` (what was sent) as lost. */
  finish(totalLines: number): CheckResult {
    const missing = Math.max(0, totalLines - this.nextSeq);
    return { ...this.r, lostBytes: this.r.lostBytes + missing * this.lineBytes, latenciesMs: this.r.latenciesMs };
  }

  private acceptLine(seq: number, buf: Buffer, pos: number, nowNs: number): void {
    const L = this.lineBytes;
    if (seq < this.nextSeq) {
      this.r.reorderedBytes += L;
      return;
    }
    if (seq > this.nextSeq) {
      const gap = seq - this.nextSeq;
      if (this.afterSkip) this.r.skippedLines += gap;
      else this.r.lostBytes += gap * L;
    }
    this.afterSkip = false;
    this.started = true;
    this.nextSeq = seq + 1;
    this.r.goodLines++;
    this.r.goodBytes += L;
    if (this.r.firstLineNs === 0) this.r.firstLineNs = nowNs;
    this.r.lastLineNs = nowNs;
    if (this.recordLatency) {
      const samples = seq >= this.latencyFromSeq ? this.r.latenciesMs : this.r.warmupLatenciesMs;
      samples.push((nowNs - readTimeNs(buf, pos)) / 1e6);
    }
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => this.nextSeq >= w.lines);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => this.nextSeq < w.lines);
    for (const w of ready) w.resolve();
  }
}
