// The per-port capture on disk: everything the port received (data, which occupies stream
// offsets), everything written to it, and events, appended to segment files with their offsets
// and arrival times. Appends are synchronous and cheap (a pending list); a serialised chain of
// async file operations writes, rotates, retains, raises the reserved mark and recovers from a
// full disk, and nothing in it ever throws into the appender. Format and guarantees: docs/capture.md.

import { randomUUID } from 'node:crypto';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { findOffsetAtTime, readDataFrom, readRecords, type RecordsOptions, type SegmentSource } from './capture-reader.js';
import type { CaptureOptions } from './capture-options.js';
import type { CaptureEvent, CaptureRecord, CaptureState } from './capture-types.js';
import { describeError } from './fs-errors.js';
import {
  encodeRecords,
  KIND_DATA,
  KIND_EVENT,
  KIND_WRITE,
  RECORD_HEADER_BYTES,
  SEGMENT_MAGIC,
  type PendingRecord,
} from './record-codec.js';
import { expiredSegments } from './retention.js';
import { deleteSegment, loadSegments, segmentFileName, writeSidecar } from './segment-files.js';
import { SegmentIndex } from './segment-index.js';
import type { ReadCounter } from './segment-reader.js';
import { readStreamMeta, writeStreamMeta } from './stream-meta.js';

export { DEFAULT_CAPTURE_LIMITS, type CaptureOptions } from './capture-options.js';
export type { CaptureEvent, CaptureRecord, CaptureState } from './capture-types.js';

/**
 * Reservation step of the durable mark, in bytes: 4 MiB. The mark is rewritten (one small fsynced
 * file) every ~4 MiB of data: every ~6 min at 115200 baud, ~20 s at 2 Mbaud, so the SD card barely
 * notices; a crash skips at most this many offsets, which cost nothing (offsets are 53-bit).
 */
export const RESERVE_STEP_BYTES = 4 * 1024 * 1024;
/** Retry period while paused by a disk problem, in ms: 2 s, quick to resume once space is freed, negligible load while not. */
export const PAUSE_RETRY_MS = 2000;
/** Pending size that triggers a flush before the interval, in bytes: 1 MiB, so a flat-out port writes in ~1 MiB pieces. */
export const FLUSH_EARLY_BYTES = 1024 * 1024;
/**
 * Most bytes buffered while a write is still in flight, in bytes: 16 MiB. A disk slower than the
 * port would otherwise grow memory without bound; past this the capture pauses (a gap) instead.
 */
export const PENDING_LIMIT_BYTES = 16 * 1024 * 1024;
/** Period of the retention check when nothing is written, in ms: 1 min, ample for limits measured in hours and MiB. */
export const RETENTION_CHECK_MS = 60 * 1000;
/** Largest event kept, in bytes of JSON: 64 KiB; a larger one is recorded as its type and size only. */
export const MAX_EVENT_JSON_BYTES = 64 * 1024;
/** Longest write source kept, in UTF-16 units: 256 (fits the header's u16 byte length whatever the characters). */
export const MAX_SOURCE_CHARS = 256;

/** Type of the event recorded when capture resumes after a pause (with the uncaptured byte count). */
export const CAPTURE_RESUME_EVENT = 'capture-resume';
/** Type of the event recorded at open after an unclean shutdown (with the skipped offsets). */
export const CAPTURE_RECOVERY_EVENT = 'capture-recovery';

const CAPTURING: CaptureState = { state: 'capturing' };
const encoder = new TextEncoder();

interface OpenSegment {
  index: SegmentIndex;
  handle: FileHandle;
  createdMs: number;
}

interface Init {
  options: CaptureOptions;
  streamId: string;
  resumeOffset: number;
  lostOnOpen: { from: number; to: number } | null;
  segments: SegmentIndex[];
  nextSeq: number;
}

/** The durable capture of one port's stream in one directory. Open with CaptureStore.open(). */
export class CaptureStore {
  /** The latest record time appended, in ms since the epoch (see stamp()). */
  private lastTimeMs = 0;
  /** Random UUID made on the first open of the dir and kept in it: a stream identity for resume. */
  readonly streamId: string;
  /** Where new data continues after open: the exact end after a clean close(), the reserved mark after a crash. */
  readonly resumeOffset: number;
  /** After a crash: [captured data end, resumeOffset), offsets that will never hold bytes; else null. */
  readonly lostOnOpen: { from: number; to: number } | null;

  private readonly options: CaptureOptions;
  private readonly now: () => number;
  private readonly segments: SegmentIndex[];
  private readonly unsealed: SegmentIndex[] = []; // closed segments whose sidecar is not yet written
  private readonly listeners = new Set<() => void>();
  private readonly counter: ReadCounter = { calls: 0, bytes: 0 };
  private current: OpenSegment | null = null;
  private nextSeq: number;
  private pending: PendingRecord[] = [];
  private pendingBytes = 0;
  private pendingDataStart: number | null = null;
  private endOffset: number;
  private reserved: number;
  private raising = false;
  private stateValue: CaptureState = CAPTURING;
  private droppedWrites = 0;
  private droppedEvents = 0;
  private accepting = true;
  private closing: Promise<void> | null = null;
  private io: Promise<void> = Promise.resolve(); // every file operation runs on this chain, one at a time
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private earlyFlushQueued = false;
  private diskBusy = false; // a flush's write or a meta write is in progress: what the pending limit guards against
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly retentionTimer: ReturnType<typeof setInterval>;

  private constructor(init: Init) {
    this.options = init.options;
    this.now = init.options.now ?? Date.now;
    this.streamId = init.streamId;
    this.resumeOffset = init.resumeOffset;
    this.lostOnOpen = init.lostOnOpen;
    this.segments = init.segments;
    this.nextSeq = init.nextSeq;
    this.endOffset = init.resumeOffset;
    this.reserved = init.resumeOffset; // nothing deliverable until the first mark is written (open awaits it)
    this.retentionTimer = setInterval(() => void this.enqueue(() => this.applyRetention()), RETENTION_CHECK_MS);
    this.retentionTimer.unref();
  }

  /**
   * Opens (creating if needed) the capture in options.dir: loads segment indexes, truncates a torn
   * tail, works out where to resume. Rejects only if the dir cannot be created or read; any other
   * disk problem opens it paused.
   */
  static async open(options: CaptureOptions): Promise<CaptureStore> {
    const { dir, log } = options;
    await mkdir(dir, { recursive: true });
    const { meta, problem } = await readStreamMeta(dir);
    if (problem) log(`capture: ${dir}: meta file unusable (${problem}); the stream gets a new identity`);
    const { segments, maxSeq } = await loadSegments(dir, log);
    let capturedEnd = 0;
    for (const s of segments) if (s.endOffset !== null) capturedEnd = Math.max(capturedEnd, s.endOffset);
    let resumeOffset = capturedEnd;
    let lostOnOpen: { from: number; to: number } | null = null;
    if (meta?.clean) resumeOffset = Math.max(meta.end, capturedEnd);
    else if (meta && options.offsetsFromElsewhere) resumeOffset = capturedEnd;
    else if (meta) {
      resumeOffset = Math.max(meta.reservedOffset, capturedEnd);
      if (capturedEnd < resumeOffset) lostOnOpen = { from: capturedEnd, to: resumeOffset };
    }
    if (!meta && segments.length > 0) {
      log(`capture: ${dir}: no usable meta file beside ${segments.length} segments; continuing at their end, ${capturedEnd}`);
    }
    const streamId = meta?.streamId ?? randomUUID();
    const store = new CaptureStore({ options, streamId, resumeOffset, lostOnOpen, segments, nextSeq: maxSeq + 1 });
    await store.enqueue(() => store.begin());
    return store;
  }

  /** Oldest data offset still on disk (== end when nothing is held). */
  get start(): number {
    for (const s of this.segments) if (s.dataStart !== null) return s.dataStart;
    return this.pendingDataStart ?? this.endOffset;
  }

  /** Next data offset: counts every appended byte, also while paused or not yet flushed. */
  get end(): number {
    return this.endOffset;
  }

  /** End of the data already handed to the OS (readData/records see up to here); an addition to the brief's API. */
  get flushedEnd(): number {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const dataEnd = this.segments[i]!.dataEnd;
      if (dataEnd !== null) return dataEnd;
    }
    return this.start;
  }

  /**
   * Data below this may be delivered to readers: the durable reserved mark while capturing (an
   * offset once sent is never reused, even after a crash), Infinity while paused (memory serves).
   */
  get deliverLimit(): number {
    return this.stateValue.state === 'paused' ? Infinity : this.reserved;
  }

  /** Capturing, or paused by a disk problem (with why, since when and from which offset). */
  get state(): CaptureState {
    return this.stateValue;
  }

  /** Bytes of segment files on disk, how many, and the arrival time of the oldest record held. */
  get stats(): { bytesOnDisk: number; segments: number; startTimeMs: number | null } {
    let bytesOnDisk = 0;
    for (const s of this.segments) bytesOnDisk += s.fileBytes;
    return { bytesOnDisk, segments: this.segments.length, startTimeMs: this.segments[0]?.firstTimeMs ?? null };
  }

  /** Reads made by readers so far (calls and bytes): shows that seeks stay bounded; an addition to the brief's API. */
  get diskReads(): { calls: number; bytes: number } {
    return { calls: this.counter.calls, bytes: this.counter.bytes };
  }

  /** Calls `listener` after the state changes, deliverLimit rises, or start moves; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Appends received bytes at offset `end`; synchronous, never throws. The store may keep `bytes`: do not reuse it. */
  appendData(bytes: Uint8Array, timeMs: number): void {
    if (!this.accepting || bytes.length === 0) return;
    const offset = this.endOffset;
    this.endOffset = offset + bytes.length;
    if (this.stateValue.state !== 'capturing') return;
    if (this.pendingDataStart === null) this.pendingDataStart = offset;
    this.push({ kind: KIND_DATA, offset, timeMs: this.stamp(timeMs), bytes, source: null }, bytes.length);
    if (this.endOffset + RESERVE_STEP_BYTES / 2 >= this.reserved) this.raiseReserve();
  }

  /**
   * Moves the data end forward to `offset` with no bytes for the skipped range (a gap in a stream
   * received from another node: the fleet console's remote ports); synchronous, never throws. Readers
   * step over the gap as over any uncaptured range.
   */
  skipTo(offset: number): void {
    if (!this.accepting || offset <= this.endOffset) return;
    this.endOffset = offset;
    if (this.stateValue.state === 'capturing' && this.endOffset + RESERVE_STEP_BYTES / 2 >= this.reserved) this.raiseReserve();
  }

  /** Records bytes written to the port by `source` (e.g. "ws:tab-3f2a", "http"); synchronous, never throws. */
  appendWrite(bytes: Uint8Array, timeMs: number, source: string): void {
    if (!this.accepting) return;
    if (this.stateValue.state !== 'capturing') {
      this.droppedWrites++;
      return;
    }
    const kept = source.length > MAX_SOURCE_CHARS ? source.slice(0, MAX_SOURCE_CHARS) : source;
    this.push({ kind: KIND_WRITE, offset: this.endOffset, timeMs: this.stamp(timeMs), bytes, source: kept }, bytes.length + kept.length);
  }

  /** Records an event (a JSON object with a string `type`) at the current data end; synchronous, never throws. */
  appendEvent(event: CaptureEvent, timeMs: number): void {
    if (!this.accepting) return;
    if (this.stateValue.state !== 'capturing') {
      this.droppedEvents++;
      return;
    }
    const bytes = encodeEvent(event);
    this.push({ kind: KIND_EVENT, offset: this.endOffset, timeMs: this.stamp(timeMs), bytes, source: null }, bytes.length);
  }

  /**
   * Record times never go backwards: data is stamped on the serial worker's thread and events and
   * writes on the main thread, a little later; the time index and every reader count on the order.
   */
  private stamp(timeMs: number): number {
    this.lastTimeMs = Math.max(this.lastTimeMs, timeMs);
    return this.lastTimeMs;
  }

  /**
   * Flushed data bytes from `offset`, at most `maxBytes`, contiguous. If `offset` is before start or
   * in an uncaptured gap, the result's offset is the first held offset after it; chunks are [] only
   * when nothing is flushed at or after `offset`.
   */
  readData(offset: number, maxBytes: number): Promise<{ offset: number; chunks: Uint8Array[] }> {
    return readDataFrom(this.source(), offset, maxBytes);
  }

  /** Flushed records with offset in [from, to) (data trimmed to it), in append order, with bounded memory. */
  records(from: number, to: number, options?: RecordsOptions): AsyncIterable<CaptureRecord> {
    return readRecords(this.source(), from, to, options);
  }

  /** First data offset whose arrival time is >= timeMs (end if none), found through the sparse index. */
  async offsetAtTime(timeMs: number): Promise<number> {
    // Pending records first, synchronously: any flushed while the disk is searched are still seen.
    let inPending: number | null = null;
    for (const rec of this.pending) {
      if (rec.kind === KIND_DATA && rec.timeMs >= timeMs) {
        inPending = rec.offset;
        break;
      }
    }
    const onDisk = await findOffsetAtTime(this.source(), timeMs);
    return onDisk ?? inPending ?? this.endOffset;
  }

  /** Writes what is buffered; resolves once it reached the OS (or the store paused). Also applies retention. */
  flush(): Promise<void> {
    return this.enqueue(() => this.flushNow());
  }

  /** Flushes, closes the segment and marks a clean shutdown, so the next open continues at exactly `end`. Safe to call twice. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.accepting = false;
    clearInterval(this.retentionTimer);
    this.clearTimer('retryTimer');
    this.closing = this.enqueue(async () => {
      this.clearTimer('flushTimer');
      await this.writePending();
      try {
        await this.sealCurrent();
        await this.writeSidecars();
        await writeStreamMeta(this.options.dir, {
          version: 1,
          streamId: this.streamId,
          reservedOffset: this.reserved,
          clean: true,
          end: this.endOffset,
        });
      } catch (err) {
        this.log(
          `capture: ${this.options.dir}: could not record a clean shutdown (${describeError(err)}); the next open will treat it as a crash`,
        );
      }
    });
    return this.closing;
  }

  // ---- the write path (always on the io chain) ----

  private async begin(): Promise<void> {
    const reserved = this.endOffset + RESERVE_STEP_BYTES;
    try {
      await this.writeMeta(reserved);
      this.reserved = reserved;
    } catch (err) {
      this.pause(describeError(err), []);
    }
    const lost = this.lostOnOpen;
    if (lost) {
      this.log(
        `capture: ${this.options.dir}: unclean shutdown; offsets ${lost.from}..${lost.to} were reserved but hold no data, continuing at ${lost.to}`,
      );
      const event = { type: CAPTURE_RECOVERY_EVENT, reason: 'unclean shutdown', ...lost, skippedOffsets: lost.to - lost.from };
      this.appendEvent(event, this.now());
    }
    await this.applyRetention();
  }

  private push(rec: PendingRecord, payloadBytes: number): void {
    this.pending.push(rec);
    this.pendingBytes += payloadBytes + RECORD_HEADER_BYTES;
    if (this.pendingBytes >= FLUSH_EARLY_BYTES) {
      // Only while the disk is busy: a synchronous burst (no await yet) is flushed by the queued write.
      if (this.pendingBytes > PENDING_LIMIT_BYTES && this.diskBusy) {
        this.pause(`disk too slow: ${this.pendingBytes} bytes waiting to be written`, []);
      } else if (!this.earlyFlushQueued) {
        this.earlyFlushQueued = true;
        void this.enqueue(() => {
          this.earlyFlushQueued = false;
          return this.flushNow();
        });
      }
    } else if (this.flushTimer === null) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        void this.enqueue(() => this.flushNow());
      }, this.options.flushIntervalMs);
      this.flushTimer.unref();
    }
  }

  private async flushNow(): Promise<void> {
    await this.writePending();
    await this.applyRetention();
  }

  private async writePending(): Promise<void> {
    if (this.stateValue.state !== 'capturing' || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingDataStart = null;
    this.diskBusy = true;
    let written = 0; // records of the batch already on disk
    try {
      // A batch is cut where the current segment fills up, so segments keep close to their size
      // (retention deletes whole segments: a flush of 1 MiB into a 128 KiB segment would defeat it).
      while (written < batch.length) {
        const segment = await this.segmentForWrite();
        const room = this.options.segmentMaxBytes - segment.index.fileBytes;
        let end = written + 1; // at least one record per write, however large
        let bytes = encodedSize(batch[written]!);
        while (end < batch.length && bytes + encodedSize(batch[end]!) <= room) bytes += encodedSize(batch[end++]!);
        const encoded = encodeRecords(end - written === batch.length ? batch : batch.slice(written, end));
        const pos = segment.index.fileBytes;
        await writeAll(segment.handle, encoded, pos);
        segment.index.noteEncoded(encoded, pos);
        written = end;
      }
    } catch (err) {
      this.pause(describeError(err), written === 0 ? batch : batch.slice(written));
      await this.abandonCurrent(); // now, on the chain: a close() queued next must not seal a torn tail
    } finally {
      this.diskBusy = false;
    }
  }

  private async segmentForWrite(): Promise<OpenSegment> {
    const now = this.now();
    const current = this.current;
    if (current) {
      const full = current.index.fileBytes >= this.options.segmentMaxBytes;
      if (!full && now - current.createdMs < this.options.segmentMaxAgeMs) return current;
      await this.sealCurrent();
      await this.writeSidecars();
    }
    return this.createSegment(now);
  }

  private async createSegment(now: number): Promise<OpenSegment> {
    const index = new SegmentIndex(this.nextSeq++, segmentFileName(this.nextSeq - 1));
    const path = join(this.options.dir, index.fileName);
    const handle = await open(path, 'wx'); // wx: never clobber a file that is already there
    try {
      await writeAll(handle, SEGMENT_MAGIC, 0);
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw err;
    }
    this.segments.push(index);
    this.current = { index, handle, createdMs: now };
    return this.current;
  }

  /** Closes the current segment (fsynced: sealed segments survive a power cut) and queues its sidecar. */
  private async sealCurrent(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = null;
    await current.handle.datasync().catch(() => undefined); // durability nicety; a failure shows on the next write
    await current.handle.close().catch(() => undefined);
    await this.retire(current.index);
  }

  /** After a failed write: undoes a partial write if it can, closes the segment; a fresh one is started on resume. */
  private async abandonCurrent(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = null;
    await current.handle.truncate(current.index.fileBytes).catch(() => undefined); // readers stop at fileBytes anyway
    await current.handle.close().catch(() => undefined);
    await this.retire(current.index);
  }

  private async retire(index: SegmentIndex): Promise<void> {
    if (index.records > 0) {
      this.unsealed.push(index);
      return;
    }
    // Never got a record: drop it rather than keep an empty file (next open removes it if this fails).
    this.segments.splice(this.segments.indexOf(index), 1);
    await unlink(join(this.options.dir, index.fileName)).catch(() => undefined);
  }

  private async writeSidecars(): Promise<void> {
    while (this.unsealed.length > 0) {
      await writeSidecar(this.options.dir, this.unsealed[0]!);
      this.unsealed.shift();
    }
  }

  private writeMeta(reservedOffset: number): Promise<void> {
    const meta = { version: 1 as const, streamId: this.streamId, reservedOffset, clean: false, end: this.endOffset };
    return writeStreamMeta(this.options.dir, meta);
  }

  private raiseReserve(): void {
    if (this.raising) return;
    this.raising = true;
    void this.enqueue(async () => {
      this.raising = false;
      if (this.stateValue.state !== 'capturing' || !this.accepting) return;
      const reserved = this.endOffset + RESERVE_STEP_BYTES;
      this.diskBusy = true;
      try {
        await this.writeMeta(reserved);
      } catch (err) {
        this.pause(describeError(err), []);
        return;
      } finally {
        this.diskBusy = false;
      }
      this.reserved = reserved;
      this.emit();
      if (this.endOffset + RESERVE_STEP_BYTES / 2 >= this.reserved) this.raiseReserve(); // a burst outran the write
    });
  }

  private async applyRetention(): Promise<void> {
    const expired = expiredSegments(this.segments, this.options, this.now());
    if (expired.length === 0) return;
    let changed = false;
    for (const { segment, reason } of expired) {
      try {
        await deleteSegment(this.options.dir, segment);
      } catch (err) {
        this.log(`capture: could not delete ${segment.fileName} (${describeError(err)}); will retry`);
        break;
      }
      this.segments.splice(this.segments.indexOf(segment), 1);
      const u = this.unsealed.indexOf(segment);
      if (u >= 0) this.unsealed.splice(u, 1);
      changed = true;
      const span = segment.dataStart === null ? 'no data' : `data offsets ${segment.dataStart}..${segment.dataEnd}`;
      this.log(`capture: deleted ${segment.fileName} (${segment.fileBytes} bytes, ${span}): ${reason}`);
    }
    if (changed) this.emit();
  }

  // ---- pause and resume ----

  /** Stops capturing after a disk problem: drops what is buffered (a gap), keeps counting, retries every PAUSE_RETRY_MS. */
  private pause(reason: string, droppedBatch: readonly PendingRecord[]): void {
    if (this.stateValue.state === 'paused') return;
    let sinceOffset = Math.min(this.pendingDataStart ?? Infinity, this.endOffset);
    this.droppedWrites = 0;
    this.droppedEvents = 0;
    for (const rec of [...droppedBatch, ...this.pending]) {
      if (rec.kind === KIND_DATA) sinceOffset = Math.min(sinceOffset, rec.offset);
      else if (rec.kind === KIND_WRITE) this.droppedWrites++;
      else this.droppedEvents++;
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingDataStart = null;
    this.clearTimer('flushTimer');
    this.stateValue = { state: 'paused', reason, sinceMs: this.now(), sinceOffset };
    this.log(
      `capture: ${this.options.dir}: paused at offset ${sinceOffset} (${reason}); retrying every ${PAUSE_RETRY_MS} ms`,
    );
    void this.enqueue(() => this.abandonCurrent());
    this.scheduleRetry();
    this.emit();
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null || !this.accepting) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.enqueue(() => this.tryResume());
    }, PAUSE_RETRY_MS);
    this.retryTimer.unref();
  }

  private async tryResume(): Promise<void> {
    const paused = this.stateValue;
    if (paused.state !== 'paused' || !this.accepting) return;
    try {
      await mkdir(this.options.dir, { recursive: true }); // the dir may have been removed under us
      await this.abandonCurrent();
      await this.writeSidecars();
      const reserved = this.endOffset + RESERVE_STEP_BYTES;
      await this.writeMeta(reserved);
      this.reserved = reserved; // above end before deliverLimit drops from Infinity, so nothing stalls
      await this.createSegment(this.now()); // the probe: a fresh segment must be writable
    } catch {
      this.scheduleRetry(); // still failing: stay paused, quietly (the pause was logged once)
      return;
    }
    const to = this.endOffset;
    const uncapturedBytes = to - paused.sinceOffset;
    this.stateValue = CAPTURING;
    this.log(
      `capture: ${this.options.dir}: resumed at offset ${to}; ${uncapturedBytes} bytes were not captured (offsets ${paused.sinceOffset}..${to})`,
    );
    const event = {
      type: CAPTURE_RESUME_EVENT,
      reason: paused.reason,
      pausedAtMs: paused.sinceMs,
      from: paused.sinceOffset,
      to,
      uncapturedBytes,
      droppedWrites: this.droppedWrites,
      droppedEvents: this.droppedEvents,
    };
    this.appendEvent(event, this.now());
    this.emit();
    await this.writePending();
  }

  // ---- plumbing ----

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.io.then(op).catch((err: unknown) => {
      this.log(`capture: ${this.options.dir}: unexpected error: ${describeError(err)}`);
    });
    this.io = run;
    return run;
  }

  private source(): SegmentSource {
    return { dir: this.options.dir, segments: this.segments.slice(), counter: this.counter };
  }

  /** The caller's log, guarded: a throwing logger must not break a write path nor reach an appender. */
  private log(line: string): void {
    try {
      this.options.log(line);
    } catch {
      // nothing better to do with a log line that cannot be logged
    }
  }

  private emit(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (err) {
        this.log(`capture: a change listener threw: ${describeError(err)}`);
      }
    }
  }

  private clearTimer(name: 'flushTimer' | 'retryTimer'): void {
    const timer = this[name];
    if (timer !== null) clearTimeout(timer);
    this[name] = null;
  }
}

/** Writes all of `bytes` at `pos`: one call unless the OS takes it in parts (a full disk does that before ENOSPC). */
async function writeAll(handle: FileHandle, bytes: Uint8Array, pos: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, pos + done);
    if (bytesWritten <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += bytesWritten;
  }
}

/** An event as stored: its JSON, or its type and size alone when unserialisable or over MAX_EVENT_JSON_BYTES. */
function encodeEvent(event: CaptureEvent): Uint8Array {
  let json: string | undefined;
  try {
    json = JSON.stringify(event);
  } catch {
    json = undefined; // a cycle or a BigInt: keep the type at least
  }
  const bytes = json === undefined ? null : encoder.encode(json);
  if (bytes && bytes.length <= MAX_EVENT_JSON_BYTES) return bytes;
  const type = String(event.type).slice(0, MAX_SOURCE_CHARS);
  return encoder.encode(JSON.stringify({ type, truncated: true, jsonBytes: bytes?.length ?? null }));
}

/** Bytes a record takes on disk (its header and payload; a write's source is part of its payload). */
function encodedSize(record: PendingRecord): number {
  return RECORD_HEADER_BYTES + record.bytes.byteLength + (record.source === null ? 0 : Buffer.byteLength(record.source));
}
