import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { ClientStream } from '../../server/hub/client-stream.js';
import { Scrollback } from '../../server/hub/scrollback.js';
import { decodeServerMessage } from '../../server/protocol.js';

/** A socket that records frames and whose buffered amount the test controls. */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  frames: (Uint8Array | string)[] = [];
  callbacks: (() => void)[] = [];
  send(data: Uint8Array | string, optsOrCb?: unknown, cb?: () => void): void {
    this.frames.push(data);
    if (cb) this.callbacks.push(cb);
  }
  binaryBytes(): number[] {
    return this.frames.filter((f): f is Uint8Array => typeof f !== 'string').flatMap((f) => Array.from(f));
  }
  texts() {
    return this.frames.filter((f): f is string => typeof f === 'string').map((t) => decodeServerMessage(t));
  }
}

const limits = { socketHighWaterBytes: 100, ackWindowBytes: 50, frameBytes: 8 };
const setup = (capacity = 1000) => {
  const sb = new Scrollback(capacity);
  const ws = new FakeSocket();
  const stream = new ClientStream(ws as unknown as WebSocket, sb, limits, 0);
  return { sb, ws, stream };
};

describe('ClientStream', () => {
  it('sends everything in order, merged up to the frame size', () => {
    const { sb, ws, stream } = setup();
    for (let i = 0; i < 5; i++) sb.append(new Uint8Array([i * 3, i * 3 + 1, i * 3 + 2]));
    stream.pump();
    expect(ws.binaryBytes()).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(ws.frames.every((f) => typeof f !== 'string' && f.byteLength <= 8)).toBe(true);
    expect(stream.offset).toBe(15);
  });

  it('stops at the socket high-water mark and resumes when a send completes', () => {
    const { sb, ws, stream } = setup();
    sb.append(new Uint8Array(40));
    ws.bufferedAmount = 100;
    stream.pump();
    expect(ws.frames).toHaveLength(0);
    ws.bufferedAmount = 0;
    stream.pump();
    expect(ws.binaryBytes()).toHaveLength(40);
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
    ws.bufferedAmount = 1000; // stalled
    for (let i = 0; i < 10; i++) sb.append(new Uint8Array(10).fill(i));
    stream.pump();
    expect(ws.frames).toHaveLength(0); // nothing queued while stalled, not even the notice
    ws.bufferedAmount = 0;
    stream.pump();
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
