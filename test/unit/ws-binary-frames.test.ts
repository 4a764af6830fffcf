import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { frameBinary, SharedFrames } from '../../server/ws/binary-frames.js';
import { MemoryRing } from '../../server/ports/memory-ring.js';

/** ws's own framing (exported for broadcasts, websockets/ws#1016; absent from its type definitions). */
interface WsSender {
  frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
}
const { Sender } = createRequire(import.meta.url)('ws') as { Sender: WsSender };
const wsFrame = (payload: Buffer) =>
  Buffer.concat(Sender.frame(payload, { fin: true, opcode: 0x02, mask: false, readOnly: false, rsv1: false }));

describe('frameBinary', () => {
  it.each([0, 1, 125, 126, 127, 0xffff, 0x10000, 0x10001])('frames %i bytes exactly as ws does', (length) => {
    const payload = Buffer.alloc(length);
    for (let i = 0; i < length; i++) payload[i] = (i * 7) & 0xff;
    // Split into uneven parts: the frame must join them in order.
    const parts = [payload.subarray(0, length >> 2), payload.subarray(length >> 2, length - 1), payload.subarray(length - 1)];
    expect(frameBinary(length === 0 ? [] : parts).equals(wsFrame(payload))).toBe(true);
  });
});

describe('SharedFrames', () => {
  it('returns the same frame for the same range and a new one once the stream grew', () => {
    const sb = new MemoryRing(1024);
    const frames = new SharedFrames(sb, 4);
    sb.append(Uint8Array.of(1, 2, 3));
    const first = frames.frameAt(0, sb.end);
    expect(frames.frameAt(0, sb.end)).toBe(first);
    expect([...first.bytes]).toEqual([0x82, 3, 1, 2, 3]);
    sb.append(Uint8Array.of(4, 5));
    const grown = frames.frameAt(0, sb.end);
    expect(grown).not.toBe(first);
    expect(grown.payloadBytes).toBe(4); // capped at the frame size
    expect([...frames.frameAt(4, sb.end).bytes]).toEqual([0x82, 1, 5]);
    expect(frames.frameAt(0, 2).payloadBytes).toBe(2); // never past the end it is given (the deliverable end)
  });
});
