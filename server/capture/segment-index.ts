// What is known about one segment file without reading it: its size, the offsets and times it
// spans, and a sparse index (one entry per INDEX_STRIDE_BYTES of file) pointing at record
// boundaries, so a reader seeks by offset or by time and then scans at most one stride.
// A sealed segment's index is kept beside it as a small JSON sidecar; the open segment's lives in memory.

import { KIND_DATA, readHeader, RECORD_HEADER_BYTES, SEGMENT_MAGIC, type KindCode } from './record-codec.js';

/**
 * Spacing of index entries, in bytes of segment file: 64 KiB. A seek then reads at most one
 * stride it does not need (a single read), and the index costs ~24 bytes of memory per 64 KiB
 * on disk (~100 KiB for a 256 MiB capture).
 */
export const INDEX_STRIDE_BYTES = 64 * 1024;

const SIDECAR_VERSION = 1;

/** The sparse index and summary of one segment; `fileBytes` is how much of the file holds valid records. */
export class SegmentIndex {
  fileBytes = SEGMENT_MAGIC.length;
  records = 0;
  /** Offset of the first record, and the highest offset any record reaches (data: offset + length). */
  firstOffset: number | null = null;
  endOffset: number | null = null;
  /** The span of data offsets held: [dataStart, dataEnd), possibly with gaps inside. */
  dataStart: number | null = null;
  dataEnd: number | null = null;
  firstTimeMs: number | null = null;
  lastTimeMs: number | null = null;
  // Parallel arrays (not objects): compact, and cheap for the GC to trace.
  readonly entryPos: number[] = [];
  readonly entryOffset: number[] = [];
  readonly entryTime: number[] = [];
  private nextEntryAt = 0;

  /** `seq` orders segments; `fileName` is the segment file's name inside the capture dir. */
  constructor(
    readonly seq: number,
    readonly fileName: string,
  ) {}

  /** Accounts for a record written or found at file position `pos`, `size` bytes long. */
  note(pos: number, kind: KindCode, offset: number, timeMs: number, dataLength: number, size: number): void {
    if (pos >= this.nextEntryAt) {
      this.entryPos.push(pos);
      this.entryOffset.push(offset);
      this.entryTime.push(timeMs);
      this.nextEntryAt = pos + INDEX_STRIDE_BYTES;
    }
    this.records++;
    this.fileBytes = pos + size;
    if (this.firstOffset === null) this.firstOffset = offset;
    if (this.firstTimeMs === null) this.firstTimeMs = timeMs;
    const reach = offset + dataLength;
    if (this.endOffset === null || reach > this.endOffset) this.endOffset = reach;
    if (this.lastTimeMs === null || timeMs > this.lastTimeMs) this.lastTimeMs = timeMs;
    if (kind === KIND_DATA && dataLength > 0) {
      if (this.dataStart === null) this.dataStart = offset;
      if (this.dataEnd === null || reach > this.dataEnd) this.dataEnd = reach;
    }
  }

  /** Accounts for every record in `encoded` (the output of encodeRecords), just written at file position `pos`. */
  noteEncoded(encoded: Uint8Array, pos: number): void {
    for (let p = 0; p < encoded.length; ) {
      const h = readHeader(encoded, p);
      if (h === null) throw new Error('capture: encoded batch does not parse'); // a bug, not a disk problem
      const size = RECORD_HEADER_BYTES + h.payloadLength;
      this.note(pos + p, h.kind, h.offset, h.timeMs, h.kind === KIND_DATA ? h.payloadLength : 0, size);
      p += size;
    }
  }

  /** File position of the last indexed record whose offset is below `offset` (records at `offset` itself come after it). */
  seekBeforeOffset(offset: number): number {
    return this.posAt(lastBelow(this.entryOffset, offset, false));
  }

  /** File position of the last indexed record whose offset is at most `offset` (no data record before it can hold `offset`). */
  seekAtOrBeforeOffset(offset: number): number {
    return this.posAt(lastBelow(this.entryOffset, offset, true));
  }

  /** File position of the last indexed record that arrived before `timeMs` (arrival times assumed non-decreasing). */
  seekBeforeTime(timeMs: number): number {
    return this.posAt(lastBelow(this.entryTime, timeMs, false));
  }

  /** The sidecar's text: the summary and the entries, as JSON. */
  toSidecar(): string {
    const entries: number[][] = this.entryPos.map((pos, i) => [pos, this.entryOffset[i]!, this.entryTime[i]!]);
    return JSON.stringify({
      version: SIDECAR_VERSION,
      fileBytes: this.fileBytes,
      records: this.records,
      firstOffset: this.firstOffset,
      endOffset: this.endOffset,
      dataStart: this.dataStart,
      dataEnd: this.dataEnd,
      firstTimeMs: this.firstTimeMs,
      lastTimeMs: this.lastTimeMs,
      entries,
    });
  }

  /** Rebuilds an index from its sidecar text; null when the text is not a valid sidecar (the caller rescans the segment). */
  static fromSidecar(seq: number, fileName: string, text: string): SegmentIndex | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null) return null;
    const o = parsed as Record<string, unknown>;
    const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
    const numOrNull = (v: unknown): v is number | null => v === null || num(v);
    if (o.version !== SIDECAR_VERSION || !num(o.fileBytes) || !num(o.records) || !Array.isArray(o.entries)) return null;
    const { firstOffset, endOffset, dataStart, dataEnd, firstTimeMs, lastTimeMs } = o;
    if (!numOrNull(firstOffset) || !numOrNull(endOffset) || !numOrNull(dataStart)) return null;
    if (!numOrNull(dataEnd) || !numOrNull(firstTimeMs) || !numOrNull(lastTimeMs)) return null;
    const index = new SegmentIndex(seq, fileName);
    for (const entry of o.entries as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 3 || !entry.every(num)) return null;
      index.entryPos.push(entry[0] as number);
      index.entryOffset.push(entry[1] as number);
      index.entryTime.push(entry[2] as number);
    }
    index.fileBytes = o.fileBytes;
    index.records = o.records;
    index.firstOffset = firstOffset;
    index.endOffset = endOffset;
    index.dataStart = dataStart;
    index.dataEnd = dataEnd;
    index.firstTimeMs = firstTimeMs;
    index.lastTimeMs = lastTimeMs;
    index.nextEntryAt = Infinity; // sealed: nothing more is appended
    return index;
  }

  private posAt(i: number): number {
    return i < 0 ? SEGMENT_MAGIC.length : this.entryPos[i]!;
  }
}

/** Index of the last element below `value` (or equal, when `inclusive`) in a non-decreasing array; -1 if none. */
function lastBelow(sorted: readonly number[], value: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length; // answer is lo - 1 when the loop ends
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v < value || (inclusive && v === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
