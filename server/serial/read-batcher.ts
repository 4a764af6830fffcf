// Coalesces the chunks read from a device so a burst is not one message per chunk, without
// adding latency: whatever is pushed in one run of JavaScript (one read callback, or a port that
// emits several chunks at once) goes out together in a microtask right after it, and a batch that
// grows large goes out at once. A microtask, not setImmediate: a tty read hands over at most one
// chunk per loop turn anyway, and an Immediate costs the worker a check phase per chunk.
// Each batch carries the wall-clock time its first chunk was pushed.

/** Largest batch, in bytes, before it is flushed without waiting for the microtask: bounds a message's size and the copy it costs. */
export const READ_BATCH_MAX_BYTES = 64 * 1024;

/** Wall-clock time now, in ms since the epoch with sub-ms precision (Date.now() has whole ms only). */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Accumulates chunks and delivers each batch as one fresh Uint8Array (its own ArrayBuffer, safe to transfer). */
export class ReadBatcher {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  /** When the batch's first chunk arrived, in ms since the epoch. */
  private firstTimeMs = 0;
  private scheduled = false;
  private generation = 0; // bumped by flush/dispose, so an already queued microtask knows it is stale

  /** `deliver` receives every batch, in order, with its first chunk's arrival time from `now`; the array is the receiver's to keep or transfer. */
  constructor(
    private readonly deliver: (batch: Uint8Array, timeMs: number) => void,
    private readonly maxBytes = READ_BATCH_MAX_BYTES,
    private readonly now: () => number = wallClockMs,
  ) {}

  /** Adds a chunk; the batcher keeps a reference until the flush, so the caller must not modify it. */
  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    if (this.bytes === 0) this.firstTimeMs = this.now();
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
    if (this.bytes >= this.maxBytes) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      const generation = this.generation;
      queueMicrotask(() => {
        if (generation === this.generation) this.flush();
      });
    }
  }

  /** Delivers what is pending now (also used before a status change, so data keeps its order). */
  flush(): void {
    this.cancel();
    if (this.bytes === 0) return;
    // One copy into a right-sized array: never a view of a pool or of a chunk someone else holds.
    const batch = new Uint8Array(this.bytes);
    let offset = 0;
    for (const chunk of this.chunks) {
      batch.set(chunk, offset);
      offset += chunk.byteLength;
    }
    this.chunks = [];
    this.bytes = 0;
    this.deliver(batch, this.firstTimeMs);
  }

  /** Drops anything pending and cancels the scheduled flush. */
  dispose(): void {
    this.cancel();
    this.chunks = [];
    this.bytes = 0;
  }

  private cancel(): void {
    this.scheduled = false;
    this.generation++;
  }
}
