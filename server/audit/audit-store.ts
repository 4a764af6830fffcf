// Where audit lines are kept: the log on disk (audit-log.ts) when the server has a data directory,
// else a bounded memory ring of the newest lines. Both read back in order for the download.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AuditFile } from './audit-files.js';
import type { AuditLog, AuditLogState } from './audit-log.js';

/** Audit lines kept somewhere, appended and read back oldest first. */
export interface AuditStore {
  /** Appends one line of JSON (no newline); synchronous, never throws. */
  append(line: string): void;
  /** The lines kept, oldest first, skipping what is known to precede `sinceMs` (whole files); stops when `signal` aborts. */
  lines(sinceMs: number | null, signal?: AbortSignal): AsyncIterable<string>;
  /** Writing, or paused by a disk problem. */
  readonly state: AuditLogState;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The audit log's files as an AuditStore. */
export class FileAuditStore implements AuditStore {
  constructor(private readonly log: AuditLog) {}

  append(line: string): void {
    this.log.append(line);
  }

  get state(): AuditLogState {
    return this.log.state;
  }

  async *lines(sinceMs: number | null, signal?: AbortSignal): AsyncIterable<string> {
    await this.log.flush();
    const files = await this.log.files();
    for (let i = 0; i < files.length; i++) {
      // A file's lines all come before the next file was begun: skip files that end before `since`.
      const next = files[i + 1];
      if (sinceMs !== null && next && next.startMs < sinceMs) continue;
      if (signal?.aborted) return;
      yield* fileLines(files[i]!, signal);
    }
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

/** The lines of one file, read as a stream (bounded memory); a file deleted meanwhile (retention) reads as empty. */
export async function* fileLines(file: Pick<AuditFile, 'path'>, signal?: AbortSignal): AsyncIterable<string> {
  const stream = createReadStream(file.path, { encoding: 'utf8', ...(signal ? { signal } : {}) });
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of reader) if (line !== '') yield line;
  } catch {
    // ENOENT (deleted by retention) or aborted: nothing more from this file
  } finally {
    reader.close();
    stream.destroy();
  }
}

/** The newest audit lines in memory, at most `maxBytes` of them (no data directory: nothing survives a restart). */
export class MemoryAuditStore implements AuditStore {
  private readonly ring: string[] = [];
  private head = 0;
  private bytes = 0;
  readonly state: AuditLogState = { state: 'writing' };

  constructor(private readonly maxBytes: number) {}

  append(line: string): void {
    this.ring.push(line);
    this.bytes += Buffer.byteLength(line);
    while (this.bytes > this.maxBytes && this.head < this.ring.length - 1) this.bytes -= Buffer.byteLength(this.ring[this.head++]!);
    // Compact now and then, so the array does not grow with everything ever dropped from its front.
    if (this.head > 1024 && this.head * 2 > this.ring.length) {
      this.ring.splice(0, this.head);
      this.head = 0;
    }
  }

  async *lines(): AsyncIterable<string> {
    const snapshot = this.ring.slice(this.head);
    yield* snapshot;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
