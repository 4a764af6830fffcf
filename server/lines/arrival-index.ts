// Arrival times of the newest bytes, by stream offset: one entry per chunk the channel appended
// (its first byte's offset and arrival time), fed by the channel's `appended` callback. The memory
// ring keeps bytes but no times; this small index supplies them for the bytes the line reader has
// not framed yet. Entries the reader has passed are dropped, so normally it holds a handful.

/** Most entries kept, one per appended chunk: 65,536 (~1 MiB of arrays). Only a reader far behind a flat-out port fills it; then the oldest go and the reader takes those bytes' times from the capture instead. */
export const ARRIVAL_INDEX_MAX_ENTRIES = 65_536;

/** A bounded (offset → arrival time) index of appended chunks, offsets increasing. */
export class ArrivalIndex {
  private offsets: number[] = [];
  private times: number[] = [];
  private head = 0;

  constructor(private readonly maxEntries = ARRIVAL_INDEX_MAX_ENTRIES) {}

  /** Entries held. */
  get size(): number {
    return this.offsets.length - this.head;
  }

  /** Offset of the oldest chunk whose time is known, or null when empty. */
  get start(): number | null {
    return this.size === 0 ? null : this.offsets[this.head]!;
  }

  /** Records a chunk appended at `offset` whose first byte arrived at `timeMs`. An offset not above the newest entry's replaces entries from it on (the stream never rewinds; this only guards the index's order). */
  add(offset: number, timeMs: number): void {
    while (this.size > 0 && this.offsets[this.offsets.length - 1]! >= offset) {
      this.offsets.pop();
      this.times.pop();
    }
    this.offsets.push(offset);
    this.times.push(timeMs);
    if (this.size > this.maxEntries) this.head++;
    this.compact();
  }

  /** The chunk holding `offset`: its arrival time and where the next chunk starts (null: it is the newest), or null if `offset` is before the oldest entry. */
  lookup(offset: number): { timeMs: number; nextOffset: number | null } | null {
    if (this.size === 0 || offset < this.offsets[this.head]!) return null;
    let lo = this.head;
    let hi = this.offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.offsets[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { timeMs: this.times[lo]!, nextOffset: lo + 1 < this.offsets.length ? this.offsets[lo + 1]! : null };
  }

  /** Forgets chunks that end at or before `offset` (the chunk holding `offset` stays). */
  dropBefore(offset: number): void {
    while (this.size > 1 && this.offsets[this.head + 1]! <= offset) this.head++;
    this.compact();
  }

  /** Compacts once the dead prefix dominates: amortised O(1) per entry. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets = this.offsets.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
