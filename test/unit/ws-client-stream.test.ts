import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { SharedFrames } from '../../server/ws/binary-frames.js';
import { ClientStream } from '../../server/ws/client-stream.js';
import { MemoryRing } from '../../server/ports/memory-ring.js';
import { decodeServerMessage } from '../../server/wire/protocol.js';

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
const setup = (capacity = 1000) => {
  const sb = new MemoryRing(capacity);
  const frames = new SharedFrames(sb, limits.frameBytes);
  const ws = new FakeSocket();
  const stream = new ClientStream(ws as unknown as WebSocket, ws, frames, limits, 0);
  return { sb, ws, stream, frames };
};

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
    const { sb, ws, frames } = setup();
    const other = new FakeSocket();
    const second = new ClientStream(other as unknown as WebSocket, other, frames, limits, 0);
    const first = new ClientStream(ws as unknown as WebSocket, ws, frames, limits, 0);
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

  it('skips a client that fell out of the scrollback ahead to live output, with a notice', () => {
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
});
