// Coalesces the chunks read from a device so a flood is not one message per chunk, without
// adding latency: whatever arrived during one turn of the event loop goes out together at the
// end of that turn (setImmediate), and a batch that grows large goes out at once.

/** Largest batch, in bytes, before it is flushed without waiting for the end of the loop turn: bounds a message's size and the copy it costs. */
export const READ_BATCH_MAX_BYTES = 64 * 1024;

/** Accumulates chunks and delivers each batch as one fresh Uint8Array (its own ArrayBuffer, safe to transfer). */
export class ReadBatcher {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  private scheduled: NodeJS.Immediate | undefined;

  /** `deliver` receives every batch, in order; the array is the receiver's to keep or transfer. */
  constructor(
    private readonly deliver: (batch: Uint8Array) => void,
    private readonly maxBytes = READ_BATCH_MAX_BYTES,
  ) {}

  /** Adds a chunk; the batcher keeps a reference until the flush, so the caller must not modify it. */
  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
    if (this.bytes >= this.maxBytes) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Delivers what is pending now (also used before a status change, so data keeps its order). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
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
    this.deliver(batch);
  }

  /** Drops anything pending and cancels the scheduled flush. */
  dispose(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.chunks = [];
    this.bytes = 0;
  }
}
