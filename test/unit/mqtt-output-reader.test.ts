// The bridge's reader of a port's stream (server/mqtt/output-reader.ts) on a hand-made channel: a
// real MemoryRing and a list of capture records. Frames keep one arrival time each (within the
// merge window), stay under the frame size, and every range not held comes out as `missing`.
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../server/capture/capture-types.js';
import { OutputReader, type OutputChannel, type OutputPiece } from '../../server/mqtt/output-reader.js';
import { MemoryRing } from '../../server/ports/memory-ring.js';

/** A channel whose memory holds what append() adds, and whose capture holds `disk`. */
function fakeChannel(options: { capacity?: number; start?: number; disk?: CaptureRecord[]; oldest?: number } = {}) {
  const memory = new MemoryRing(options.capacity ?? 1024 * 1024, options.start ?? 0);
  const listeners = new Set<{ data?(): void; appended?(bytes: Uint8Array, offset: number, timeMs: number): void }>();
  const disk = options.disk ?? [];
  const channel: OutputChannel & { append(bytes: Uint8Array, timeMs: number): void } = {
    memory,
    get deliverableEnd() {
      return memory.end;
    },
    get oldest() {
      return options.oldest ?? memory.start;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async *records(from, to) {
      for (const record of disk) if (record.offset + (record.kind === 'data' ? record.bytes.byteLength : 0) > from && record.offset < to) yield record;
    },
    append(bytes, timeMs) {
      const offset = memory.end;
      memory.append(bytes);
      for (const listener of listeners) listener.appended?.(bytes, offset, timeMs);
      for (const listener of listeners) listener.data?.();
    },
  };
  return channel;
}

const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);
const shape = (pieces: OutputPiece[] | null) =>
  pieces?.map((piece) => (piece.kind === 'data' ? ['data', piece.offset, piece.timeMs, piece.data.byteLength] : ['missing', piece.offset, piece.end]));

describe('OutputReader', () => {
  it('reads memory one arrival per frame, merging only reads within the merge window, splitting at the frame size', () => {
    const channel = fakeChannel();
    const reader = new OutputReader(channel, { frameBytes: 100, mergeMs: 10 }, () => undefined);
    channel.append(bytes(30), 1000);
    channel.append(bytes(30), 1005); // within 10 ms of 1000: joins
    channel.append(bytes(30), 1020); // too late: a frame of its own
    channel.append(bytes(250), 1021); // joins 1020's up to 100 bytes; the frames it is split into carry its own time
    expect(shape(reader.readMemory(0, 1 << 20, 100))).toEqual([
      ['data', 0, 1000, 60],
      ['data', 60, 1020, 100],
      ['data', 160, 1021, 100],
      ['data', 260, 1021, 80],
    ]);
    expect(shape(reader.readMemory(340, 1 << 20, 100))).toEqual([]);
  });

  it('stops at the byte and frame budgets', () => {
    const channel = fakeChannel();
    const reader = new OutputReader(channel, { frameBytes: 100, mergeMs: 0 }, () => undefined);
    for (let i = 0; i < 10; i++) channel.append(bytes(10), 1000 + i * 100);
    expect(reader.readMemory(0, 1 << 20, 3)!.length).toBe(3);
    const byBytes = reader.readMemory(0, 25, 100)!;
    expect(shape(byBytes)).toEqual([['data', 0, 1000, 10], ['data', 10, 1100, 10], ['data', 20, 1200, 5]]);
  });

  it('sends an offset it has no time for (or that left memory) to the capture', () => {
    const channel = fakeChannel({ start: 500 });
    const reader = new OutputReader(channel, { frameBytes: 100, mergeMs: 10 }, () => undefined);
    expect(reader.readMemory(100, 1 << 20, 10)).toBeNull();
    channel.append(bytes(10), 1000);
    expect(reader.readMemory(400, 1 << 20, 10)).toBeNull();
    expect(shape(reader.readMemory(500, 1 << 20, 10))).toEqual([['data', 500, 1000, 10]]);
  });

  it('reads the capture with its times, and says `missing` for what it does not hold', async () => {
    const disk: CaptureRecord[] = [
      { kind: 'data', offset: 100, timeMs: 10, bytes: bytes(50) },
      { kind: 'event', offset: 150, timeMs: 11, event: { type: 'device' } },
      { kind: 'data', offset: 150, timeMs: 12, bytes: bytes(50) },
      { kind: 'data', offset: 300, timeMs: 40, bytes: bytes(50) }, // after a gap [200, 300)
    ];
    const channel = fakeChannel({ start: 400, disk, oldest: 100 });
    const reader = new OutputReader(channel, { frameBytes: 64, mergeMs: 5 }, () => undefined);
    channel.append(bytes(10), 50);
    expect(shape(await reader.readRange(0, 400, 1 << 20, 100))).toEqual([
      ['missing', 0, 100],
      ['data', 100, 10, 64],
      ['data', 164, 12, 36],
      ['missing', 200, 300],
      ['data', 300, 40, 50],
      ['missing', 350, 400],
    ]);
    // A range starting inside a record is cut there; the byte budget stops it after the record that reaches it, without a trailing `missing`.
    expect(shape(await reader.readRange(120, 400, 40, 100))).toEqual([['data', 120, 10, 64], ['data', 184, 12, 16]]);
    expect(shape(await reader.readRange(100, 400, 1 << 20, 2))).toEqual([['data', 100, 10, 64], ['data', 164, 12, 36]]);
    // From the capture up to where memory (with times) takes over.
    expect(shape(await reader.readCapture(300, 1 << 20, 100))).toEqual([['data', 300, 40, 50], ['missing', 350, 400]]);
  });

  it('forgets times before an offset and stops listening on close', () => {
    const channel = fakeChannel();
    let heard = 0;
    const reader = new OutputReader(channel, { frameBytes: 100, mergeMs: 0 }, () => heard++);
    channel.append(bytes(10), 1);
    channel.append(bytes(10), 2);
    reader.dropBefore(10);
    expect(reader.readMemory(0, 100, 10)).toBeNull();
    expect(shape(reader.readMemory(10, 100, 10))).toEqual([['data', 10, 2, 10]]);
    reader.close();
    channel.append(bytes(10), 3);
    expect(heard).toBe(2);
  });
});
