// Where a port's bridge resumes after a restart: the offset up to which the broker acknowledged the
// port's output (QoS 1 PUBACK), and the seq of the next frame, kept beside the port's capture in
// `<dataDir>/ports/<id>/mqtt-acked.json`. Written atomically; a write lags the broker by at most
// ACKED_WRITE_INTERVAL_MS, so after a crash the bridge publishes a little again (consumers drop
// repeated offsets), never skips.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../capture/atomic-file.js';

/** Longest a new acknowledged offset waits before it is written, in ms: one small write a second per busy port, and at most a second of output republished after a crash. */
export const ACKED_WRITE_INTERVAL_MS = 1000;
/** File name, in the port's capture directory. */
export const ACKED_FILE_NAME = 'mqtt-acked.json';

/** A resume point: everything below `offset` was acknowledged; the frame at `offset` gets `nextSeq`. */
export interface ResumePoint {
  offset: number;
  nextSeq: number;
}

/** What a resume point belongs to: one stream (a wiped capture starts another) published on one topic. */
export interface ResumeKey {
  streamId: string;
  topic: string;
}

interface FileContent extends ResumeKey, ResumePoint {
  version: 1;
}

/** One port's persisted resume point. */
export class AckedOffsetFile {
  private pending: ResumePoint | null = null;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly key: ResumeKey,
    private readonly log: (line: string) => void,
  ) {}

  /** The saved point for this stream and topic; null when there is none, it is another stream's or topic's, or it cannot be read (logged). */
  async load(): Promise<ResumePoint | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`cannot read ${this.path}: ${(error as Error).message}; publishing from now on`);
      return null;
    }
    let value: Partial<FileContent>;
    try {
      value = JSON.parse(text) as Partial<FileContent>;
    } catch {
      this.log(`${this.path} is not JSON; publishing from now on`);
      return null;
    }
    if (value.streamId !== this.key.streamId || value.topic !== this.key.topic) return null;
    const { offset, nextSeq } = value;
    if (!Number.isSafeInteger(offset) || offset! < 0 || !Number.isSafeInteger(nextSeq) || nextSeq! < 0) {
      this.log(`${this.path} holds no valid offset; publishing from now on`);
      return null;
    }
    return { offset: offset!, nextSeq: nextSeq! };
  }

  /** Notes a newer acknowledged point; it is written within ACKED_WRITE_INTERVAL_MS. */
  note(point: ResumePoint): void {
    if (this.closed) return;
    this.pending = point;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.write(false);
    }, ACKED_WRITE_INTERVAL_MS);
  }

  /** Writes the last noted point now, durably (fsync), and stops; safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.write(true);
  }

  private write(durable: boolean): Promise<void> {
    const point = this.pending;
    this.pending = null;
    if (point === null) return this.writing;
    const content: FileContent = { version: 1, ...this.key, ...point };
    this.writing = this.writing
      .then(() => writeFileAtomic(this.path, `${JSON.stringify(content)}\n`, durable))
      .catch((error: unknown) => this.log(`cannot write ${this.path}: ${(error as Error).message}`));
    return this.writing;
  }
}
