import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { SharedFrames } from '../../server/ws/binary-frames.js';
import { ClientStream, type StreamSource } from '../../server/ws/client-stream.js';
import { MemoryRing } from '../../server/ports/memory-ring.js';
import { decodeServerMessage, type SkipReason, type StreamMode } from '../../server/wire/protocol.js';

/**
 * A client's WebSocket (control messages through send) and the raw socket under it (binary frames
 * through write), recording both in order; the test controls how much the socket holds unsent.
 */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  writableLength = 0;
  readonly writableHighWaterMark = 16;
  frames: (Uint8Array | string)[] = [];
  private drain: (() => void) | null = null;
  send(data: string): void {
    this.frames.push(data);
  }
  write(frame: Uint8Array): boolean {
    this.frames.push(frame);
    return true;
  }
  on(_event: 'drain', listener: () => void): void {
    this.drain = listener;
  }
  emitDrain(): void {
    this.writableLength = 0;
    this.drain?.();
  }
  /** Payloads of the binary frames, after checking each header (FIN + binary, 7-bit length). */
  payloads(): Uint8Array[] {
    return this.frames
      .filter((f): f is Uint8Array => typeof f !== 'string')
      .map((f) => {
        expect([f[0], f[1]]).toEqual([0x82, f.byteLength - 2]);
        return f.subarray(2);
      });
  }
  binaryBytes(): number[] {
    return this.payloads().flatMap((p) => Array.from(p));
  }
  texts() {
    return this.frames.filter((f): f is string => typeof f === 'string').map((t) => decodeServerMessage(t));
  }
}

const limits = { socketHighWaterBytes: 100, ackWindowBytes: 50, frameBytes: 8 };

/** A channel as a stream sees it: a memory ring, and a "disk" holding every byte from `diskStart` on (minus `gaps`). */
class FakeSource implements StreamSource {
  readonly ring: MemoryRing;
  readonly frames: SharedFrames;
  all: number[] = [];
  diskStart = 0;
  diskFlushed = Infinity;
  gaps: Array<[number, number]> = [];
  limit = Infinity;
  diskReads = 0;
  failDisk = false;
  constructor(capacity: number) {
    this.ring = new MemoryRing(capacity);
    this.frames = new SharedFrames(this.ring, limits.frameBytes);
  }
  append(bytes: Uint8Array): void {
    this.ring.append(bytes);
    this.all.push(...bytes);
  }
  get memoryStart() {
    return this.ring.start;
  }
  get liveStart() {
    return Math.max(this.oldest, this.ring.windowStart);
  }
  get deliverableEnd() {
    return Math.min(this.ring.end, this.limit);
  }
  get oldest() {
    return Math.min(this.diskStart, this.ring.start);
  }
  frameAt(offset: number, end: number) {
    return this.frames.frameAt(offset, end);
  }
  async readDisk(offset: number, maxBytes: number) {
    this.diskReads++;
    if (this.failDisk) throw new Error('EIO');
    let at = Math.max(offset, this.diskStart);
    for (const [from, to] of this.gaps) if (at >= from && at < to) at = to;
    const stop = Math.min(at + maxBytes, this.all.length, this.diskFlushed, ...this.gaps.filter(([from]) => from > at).map(([from]) => from));
    return { offset: at, chunks: stop > at ? [Uint8Array.from(this.all.slice(at, stop))] : [] };
  }
  skipReason(from: number): SkipReason {
    return from < this.diskStart ? 'not-buffered' : 'not-captured';
  }
}

const setup = (capacity = 1000, mode: StreamMode = 'live') => {
  const sb = new FakeSource(capacity);
  const ws = new FakeSocket();
  const stream = new ClientStream(ws as unknown as WebSocket, ws, sb, limits, 0, mode);
  return { sb, ws, stream };
};

/** Resolves once every promise queued so far (the fake disk's reads) has settled. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ClientStream', () => {
  it('sends everything in order, merged up to the frame size', () => {
    const { sb, ws, stream } = setup();
    for (let i = 0; i < 5; i++) sb.append(new Uint8Array([i * 3, i * 3 + 1, i * 3 + 2]));
    stream.pump();
    expect(ws.binaryBytes()).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(ws.payloads().every((p) => p.byteLength <= 8)).toBe(true);
    expect(stream.offset).toBe(15);
  });

  it("stops at the socket high-water mark and resumes on the socket's 'drain'", () => {
    const { sb, ws, stream } = setup();
    sb.append(new Uint8Array(40));
    ws.writableLength = 100;
    stream.pump();
    expect(ws.frames).toHaveLength(0);
    ws.emitDrain();
    expect(ws.binaryBytes()).toHaveLength(40);
  });

  it('hands clients at the same offset the same frame, not a copy each', () => {
    const { sb, ws } = setup();
    const other = new FakeSocket();
    const second = new ClientStream(other as unknown as WebSocket, other, sb, limits, 0, 'live');
    const first = new ClientStream(ws as unknown as WebSocket, ws, sb, limits, 0, 'live');
    sb.append(Uint8Array.of(1, 2, 3));
    first.pump();
    second.pump();
    expect(other.frames[0]).toBe(ws.frames[0]);
    expect(ws.binaryBytes()).toEqual([1, 2, 3]);
  });

  it('holds a client that acks to its window until it acks more', () => {
    const { sb, ws, stream } = setup();
    stream.ack(0);
    sb.append(new Uint8Array(200));
    stream.pump();
    expect(ws.binaryBytes()).toHaveLength(56); // stops at the first frame boundary past the 50-byte window
    stream.ack(56);
    expect(ws.binaryBytes().length).toBeGreaterThan(56);
  });

  it('skips a live client that fell out of memory ahead to live output, with a notice', () => {
    const { sb, ws, stream } = setup(20);
    ws.writableLength = 1000; // stalled
    for (let i = 0; i < 10; i++) sb.append(new Uint8Array(10).fill(i));
    stream.pump();
    expect(ws.frames).toHaveLength(0); // nothing queued while stalled, not even the notice
    ws.emitDrain();
    const notice = ws.texts()[0];
    expect(notice).toEqual({ ok: true, message: { type: 'skipped', bytes: 100, offset: 100, reason: 'slow-client' } });
    sb.append(new Uint8Array([42]));
    stream.pump();
    expect(ws.binaryBytes()).toEqual([42]);
  });

  it('sends nothing to a socket that is not open', () => {
    const { sb, ws, stream } = setup();
    ws.readyState = 3;
    sb.append(new Uint8Array(4));
    stream.pump();
    stream.sendControl({ type: 'clients', count: 1 });
    expect(ws.frames).toHaveLength(0);
  });

  it('feeds a lossless client that fell out of memory from disk, in order, with nothing skipped', async () => {
    const { sb, ws, stream } = setup(20, 'lossless');
    ws.writableLength = 1000; // stalled while 100 bytes pass a 20-byte ring
    for (let i = 0; i < 10; i++) sb.append(new Uint8Array(10).fill(i));
    stream.pump();
    expect(ws.frames).toHaveLength(0);
    ws.writableLength = 0;
    for (let turn = 0; turn < 50 && stream.offset < 100; turn++) {
      ws.emitDrain();
      await settle();
    }
    expect(ws.texts()).toEqual([]);
    expect(ws.binaryBytes()).toEqual(sb.all);
    expect(sb.diskReads).toBeGreaterThan(0);
    expect(ws.payloads().every((p) => p.byteLength <= limits.frameBytes)).toBe(true);
  });

  it('reports a gap in the capture to a lossless client, then carries on after it', async () => {
    const { sb, ws, stream } = setup(20, 'lossless');
    ws.writableLength = 1000;
    for (let i = 0; i < 10; i++) sb.append(new Uint8Array(10).fill(i));
    sb.gaps = [[30, 50]];
    ws.writableLength = 0;
    for (let turn = 0; turn < 50 && stream.offset < 100; turn++) {
      ws.emitDrain();
      await settle();
    }
    expect(ws.texts()).toEqual([{ ok: true, message: { type: 'skipped', bytes: 20, offset: 50, reason: 'not-captured' } }]);
    expect(ws.binaryBytes()).toEqual([...sb.all.slice(0, 30), ...sb.all.slice(50)]);
  });

  it('starts a lossless client older than anything kept at the oldest byte, saying why', async () => {
    const { sb, ws, stream } = setup(20, 'lossless');
    sb.diskStart = 40;
    for (let i = 0; i < 10; i++) sb.append(new Uint8Array(10).fill(i));
    stream.pump();
    for (let turn = 0; turn < 50 && stream.offset < 100; turn++) {
      ws.emitDrain();
      await settle();
    }
    expect(ws.texts()[0]).toEqual({ ok: true, message: { type: 'skipped', bytes: 40, offset: 40, reason: 'not-buffered' } });
    expect(ws.binaryBytes()).toEqual(sb.all.slice(40));
  });

  it('waits for bytes not yet flushed to disk instead of skipping them', async () => {
    const { sb, ws, stream } = setup(20, 'lossless');
    ws.writableLength = 1000;
    for (let i = 0; i < 10; i++) sb.append(new Uint8Array(10).fill(i));
    sb.diskFlushed = 40;
    ws.writableLength = 0;
    ws.emitDrain();
    for (let turn = 0; turn < 20; turn++) await settle();
    expect(stream.offset).toBe(40);
    sb.diskFlushed = Infinity;
    await vi.waitFor(() => expect(stream.offset).toBe(100), { timeout: 2000, interval: 5 });
    expect(ws.texts()).toEqual([]);
    expect(ws.binaryBytes()).toEqual(sb.all);
  });

  it('never sends past the deliverable end (offsets not yet durably reserved)', () => {
    const { sb, ws, stream } = setup();
    sb.limit = 3;
    sb.append(Uint8Array.of(1, 2, 3, 4, 5));
    stream.pump();
    expect(ws.binaryBytes()).toEqual([1, 2, 3]);
    sb.limit = Infinity;
    stream.pump();
    expect(ws.binaryBytes()).toEqual([1, 2, 3, 4, 5]);
  });

  it('goes on from memory when the disk cannot be read, reporting what it could not send', async () => {
    const { sb, ws, stream } = setup(20, 'lossless');
    ws.writableLength = 1000;
    for (let i = 0; i < 10; i++) sb.append(new Uint8Array(10).fill(i));
    sb.failDisk = true;
    ws.writableLength = 0;
    ws.emitDrain();
    await settle();
    await vi.waitFor(() => expect(stream.offset).toBe(100), { timeout: 2000, interval: 5 });
    expect(ws.texts()[0]).toEqual({ ok: true, message: { type: 'skipped', bytes: 80, offset: 80, reason: 'not-captured' } });
    expect(ws.binaryBytes()).toEqual(sb.all.slice(80));
  });

  it('does not count skipped bytes against an acking live client, so it gets live output after a big skip', () => {
    const { sb, ws, stream } = setup(20, 'live');
    stream.ack(0); // a browser tab: it acks what it rendered
    ws.writableLength = 1000; // stalled (its scripts paused) while far more than its ack window passes
    for (let i = 0; i < 10; i++) sb.append(new Uint8Array(10).fill(i));
    stream.pump();
    ws.emitDrain();
    expect(ws.texts()[0]).toEqual({ ok: true, message: { type: 'skipped', bytes: 100, offset: 100, reason: 'slow-client' } });
    sb.append(Uint8Array.of(7, 7, 7));
    stream.pump();
    expect(ws.binaryBytes()).toEqual([7, 7, 7]); // 100 bytes skipped > the 50-byte window, yet new bytes flow
    stream.ack(103);
    sb.append(new Uint8Array(60));
    stream.pump();
    expect(ws.binaryBytes().length).toBe(3 + 56); // the window applies again to what is really sent
  });
});
