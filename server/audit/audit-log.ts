// The audit log on disk: JSON lines appended to files in one directory, rotated by size and age,
// the oldest deleted past a total. append() is synchronous and never throws or blocks: lines wait in
// a bounded list and one serialised chain of file operations writes them. On a full (or failing)
// disk the log pauses, counts what it drops, says so once in the server's log, retries every 2 s and,
// once it writes again, lets its owner record what was lost. Like the capture, it never stops the device.
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../capture/fs-errors.js';
import { auditFileName, listAuditFiles, trimAuditFiles, type AuditFile } from './audit-files.js';
import type { AuditSettings } from './audit-types.js';

/** Lines reach the OS at most this long after append, in ms: one write a second keeps an SD card's write amplification low; a process crash loses at most this. */
export const AUDIT_FLUSH_MS = 1000;
/** Retry period while paused by a disk problem, in ms: quick to resume once space is freed, negligible load while not. */
export const AUDIT_RETRY_MS = 2000;
/** Most bytes waiting for the disk, in bytes: 4 MiB (minutes of flat-out typing); past it lines are dropped and counted, never buffered without bound. */
export const AUDIT_PENDING_LIMIT_BYTES = 4 * 1024 * 1024;

/** Writing, or paused by a disk problem: why, since when, and how many lines were dropped so far. */
export type AuditLogState = { state: 'writing' } | { state: 'paused'; reason: string; sinceMs: number; dropped: number };

/** What was lost while the log could not write: reported once it writes again. */
export interface AuditGap {
  reason: string;
  sinceMs: number;
  dropped: number;
}

/** Where the log lives and its limits. */
export interface AuditLogOptions {
  dir: string;
  limits: Pick<AuditSettings, 'fileBytes' | 'fileAgeMs' | 'totalBytes'>;
  /** The server's log (pauses, resumes, deleted files never; problems only). */
  log(line: string): void;
  /** The first line of every new file (the trail puts each port's write offset there, so the newest file alone restores them). */
  fileHeader?(): string | undefined;
  /** The log writes again after dropping lines: its owner appends an entry saying so (written next). */
  resumed?(gap: AuditGap): void;
  now?: () => number;
  flushMs?: number;
  retryMs?: number;
}

interface CurrentFile {
  handle: FileHandle;
  path: string;
  bytes: number;
  openedMs: number;
}

/** The append-only audit log of one server. Open with AuditLog.open(). */
export class AuditLog {
  private readonly now: () => number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private backlogDropped = 0;
  private current: CurrentFile | null = null;
  private nextSeq = 0;
  private stateValue: AuditLogState = { state: 'writing' };
  private io: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private accepting = true;
  private closing: Promise<void> | null = null;

  private constructor(private readonly options: AuditLogOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Creates the directory if need be and finds the next sequence number; a disk problem opens the log paused (never rejects). */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const auditLog = new AuditLog(options);
    try {
      await mkdir(options.dir, { recursive: true });
      const files = await listAuditFiles(options.dir);
      auditLog.nextSeq = (files.at(-1)?.seq ?? -1) + 1;
    } catch (err) {
      auditLog.pause(describeError(err));
    }
    return auditLog;
  }

  /** Writing or paused. */
  get state(): AuditLogState {
    return { ...this.stateValue };
  }

  /** The directory's audit files, oldest first (flush first to see every line). */
  files(): Promise<AuditFile[]> {
    return listAuditFiles(this.options.dir).catch(() => []);
  }

  /** Appends one line (JSON without a newline); synchronous, never throws. */
  append(line: string): void {
    if (!this.accepting) return;
    if (this.stateValue.state === 'paused') {
      this.stateValue.dropped++;
      return;
    }
    const bytes = Buffer.byteLength(line) + 1;
    if (this.pendingBytes + bytes > AUDIT_PENDING_LIMIT_BYTES) {
      this.backlogDropped++;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += bytes;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, this.options.flushMs ?? AUDIT_FLUSH_MS).unref();
  }

  /** Writes what is waiting; resolves once it reached the OS (or the log paused). Never rejects. */
  flush(): Promise<void> {
    return this.enqueue(() => this.flushNow());
  }

  /** Writes what is waiting, fsyncs and closes the file; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.accepting = false;
      if (this.flushTimer) clearTimeout(this.flushTimer);
      if (this.retryTimer) clearTimeout(this.retryTimer);
      await this.enqueue(async () => {
        await this.flushNow();
        await this.closeCurrent();
      });
    })();
    return this.closing;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.io = this.io.then(task).catch((err: unknown) => this.options.log(`audit: ${describeError(err)}`));
    return this.io;
  }

  private async flushNow(): Promise<void> {
    const failed = await this.writePending();
    if (failed) {
      this.pause(failed.reason, failed.lines);
      return;
    }
    if (this.backlogDropped > 0) {
      const dropped = this.backlogDropped;
      this.backlogDropped = 0;
      this.options.log(`audit: ${dropped} entries dropped: the disk fell behind by over ${AUDIT_PENDING_LIMIT_BYTES} bytes`);
      this.options.resumed?.({ reason: 'the disk fell behind', sinceMs: this.now(), dropped });
    }
  }

  /** Writes the pending lines; on failure, drops them, leaves the file without a torn line, closes it, and says why. */
  private async writePending(): Promise<{ reason: string; lines: number } | null> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.pending.length === 0 || this.stateValue.state === 'paused') return null;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    let file: CurrentFile | null = null;
    let done = 0;
    try {
      // A file takes lines until it reaches its size, so no file grows past it by more than a line.
      while (done < lines.length) {
        file = await this.fileFor();
        let end = done;
        let length = 0;
        while (end < lines.length && (end === done || file.bytes + length < this.options.limits.fileBytes)) length += Buffer.byteLength(lines[end++]!) + 1;
        const text = `${lines.slice(done, end).join('\n')}\n`;
        const { bytesWritten } = await file.handle.write(text);
        if (bytesWritten !== length) throw Object.assign(new Error(`short write (${bytesWritten} of ${length} bytes)`), { code: 'EIO' });
        file.bytes += length;
        done = end;
      }
      return null;
    } catch (err) {
      // Cut a torn line off, so every line in the file is whole; then stop until the disk takes lines again.
      if (file) await file.handle.truncate(file.bytes).catch(() => undefined);
      await this.closeCurrent();
      // A file begun for these lines and left empty is not kept (a full disk's retries would leave one every 2 s).
      if (file?.bytes === 0) await unlink(file.path).catch(() => undefined);
      return { reason: describeError(err), lines: lines.length - done };
    }
  }

  /** The file to write to: the current one, or a new one when it is full or old (then retention runs). */
  private async fileFor(): Promise<CurrentFile> {
    const { fileBytes, fileAgeMs } = this.options.limits;
    const now = this.now();
    if (this.current && this.current.bytes < fileBytes && now - this.current.openedMs < fileAgeMs) return this.current;
    await this.closeCurrent();
    const path = join(this.options.dir, auditFileName(now, this.nextSeq++));
    const handle = await open(path, 'a');
    const current: CurrentFile = { handle, path, bytes: 0, openedMs: now };
    this.current = current;
    const header = this.options.fileHeader?.();
    if (header !== undefined) {
      const text = `${header}\n`;
      try {
        await handle.write(text);
      } catch (err) {
        this.current = null;
        await handle.close().catch(() => undefined);
        await unlink(path).catch(() => undefined);
        throw err;
      }
      current.bytes += Buffer.byteLength(text);
    }
    await this.applyRetention();
    return current;
  }

  private async applyRetention(): Promise<void> {
    const files = await listAuditFiles(this.options.dir);
    await trimAuditFiles(files, this.options.limits.totalBytes, this.current?.path ?? null);
  }

  /** Closes the current file, fsynced: a closed file is on the card, whatever happens next. */
  private async closeCurrent(): Promise<void> {
    const current = this.current;
    this.current = null;
    if (!current) return;
    await current.handle.sync().catch(() => undefined);
    await current.handle.close().catch(() => undefined);
  }

  private pause(reason: string, dropped = 0): void {
    if (this.stateValue.state === 'paused') {
      this.stateValue.dropped += dropped;
      return;
    }
    this.stateValue = { state: 'paused', reason, sinceMs: this.now(), dropped };
    this.options.log(`audit: paused: ${reason}; entries are dropped (and counted) until ${this.options.dir} can be written again`);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.accepting) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.enqueue(() => this.retry());
    }, this.options.retryMs ?? AUDIT_RETRY_MS);
    this.retryTimer.unref();
  }

  /** Tries again: the entry saying what was dropped is the probe; if the disk takes it, the log writes again. */
  private async retry(): Promise<void> {
    const state = this.stateValue;
    if (state.state !== 'paused' || !this.accepting) return;
    try {
      await mkdir(this.options.dir, { recursive: true });
      if (this.nextSeq === 0) this.nextSeq = ((await listAuditFiles(this.options.dir)).at(-1)?.seq ?? -1) + 1;
    } catch {
      this.scheduleRetry(); // still failing: silent, said once already
      return;
    }
    this.stateValue = { state: 'writing' };
    this.options.resumed?.({ reason: state.reason, sinceMs: state.sinceMs, dropped: state.dropped });
    const failed = await this.writePending();
    if (failed) {
      this.stateValue = { ...state, dropped: state.dropped + failed.lines };
      this.scheduleRetry();
      return;
    }
    this.options.log(`audit: writing again after ${Math.round((this.now() - state.sinceMs) / 1000)} s paused (${state.reason}); ${state.dropped} entries dropped`);
  }
}
