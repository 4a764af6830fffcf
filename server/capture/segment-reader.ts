// Reads the records of one segment file in order from a file position, checking each one's
// checksum, with bounded memory: it reads ahead a fixed amount (or one whole record, if larger)
// and never more. It stops at the limit it was given (the flushed size), or at the first record
// that is torn or corrupt, and says where.

import { open, type FileHandle } from 'node:fs/promises';
import { checksumMatches, readHeader, RECORD_HEADER_BYTES, type KindCode } from './record-codec.js';
import { errorCode } from './fs-errors.js';

/** Read-ahead of a cursor, in bytes: 64 KiB, one index stride, so a seek plus a scan is usually one read. */
export const READ_CHUNK_BYTES = 64 * 1024;

/** Counts disk reads, so tests (and curious operators) can see that seeks stay bounded. */
export interface ReadCounter {
  calls: number;
  bytes: number;
}

/** One record as read: `payload` is a view of the cursor's read buffer (each read allocates a fresh one, so views stay valid). */
export interface RawRecord {
  pos: number;
  size: number;
  kind: KindCode;
  offset: number;
  timeMs: number;
  sourceLength: number;
  payload: Uint8Array;
}

/** A forward reader over one segment file's records in [pos, limit). */
export class SegmentCursor {
  /** File position of the first torn or corrupt record met, or null. */
  corruptAt: number | null = null;
  private buf: Uint8Array = new Uint8Array(0);
  private bufPos = 0; // file position of buf[0]

  private constructor(
    private readonly handle: FileHandle,
    private pos: number,
    private readonly limit: number,
    private readonly readAheadBytes: number,
    private readonly counter: ReadCounter | null,
  ) {}

  /** Opens `path` for reading from `pos` up to `limit`; null when the file is gone (deleted by retention meanwhile). */
  static async open(
    path: string,
    pos: number,
    limit: number,
    options: { readAheadBytes?: number; counter?: ReadCounter | null } = {},
  ): Promise<SegmentCursor | null> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return null;
      throw err;
    }
    const readAhead = Math.max(RECORD_HEADER_BYTES, options.readAheadBytes ?? READ_CHUNK_BYTES);
    return new SegmentCursor(handle, pos, limit, readAhead, options.counter ?? null);
  }

  /** File position of the next record to read. */
  get position(): number {
    return this.pos;
  }

  /** The next valid record, or null at the limit or at a torn/corrupt record (then `corruptAt` is set). */
  async next(): Promise<RawRecord | null> {
    if (this.pos >= this.limit || this.corruptAt !== null) return null;
    const pos = this.pos;
    if (!(await this.ensure(pos, RECORD_HEADER_BYTES))) return this.corrupt(pos);
    let rel = pos - this.bufPos;
    const header = readHeader(this.buf, rel);
    if (header === null) return this.corrupt(pos);
    const size = RECORD_HEADER_BYTES + header.payloadLength;
    if (!(await this.ensure(pos, size))) return this.corrupt(pos);
    rel = pos - this.bufPos;
    if (!checksumMatches(this.buf, rel, header)) return this.corrupt(pos);
    this.pos = pos + size;
    return {
      pos,
      size,
      kind: header.kind,
      offset: header.offset,
      timeMs: header.timeMs,
      sourceLength: header.sourceLength,
      payload: this.buf.subarray(rel + RECORD_HEADER_BYTES, rel + size),
    };
  }

  /** Releases the file; safe to call twice. */
  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private corrupt(pos: number): null {
    this.corruptAt = pos;
    return null;
  }

  /** Makes file bytes [pos, pos + n) available in buf; false if they lie beyond the limit or the file's end. */
  private async ensure(pos: number, n: number): Promise<boolean> {
    if (pos + n > this.limit) return false;
    if (pos >= this.bufPos && pos + n <= this.bufPos + this.buf.length) return true;
    const length = Math.min(this.limit - pos, Math.max(n, this.readAheadBytes));
    // Not Buffer.allocUnsafe: small ones are views of a shared pool, and records handed out are views of this.
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.handle.read(buf, got, length - got, pos + got);
      if (this.counter) {
        this.counter.calls++;
        this.counter.bytes += bytesRead;
      }
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.buf = buf.subarray(0, got);
    this.bufPos = pos;
    return got >= n;
  }
}
