// WebSocket binary frames of stream ranges, built once and shared by every client at the same
// offset: with all clients live, a device chunk is framed once and each socket takes it in one
// write. Written here because ws has no broadcast API (websockets/ws#617) and its Sender.frame()
// returns an unmasked frame's header and payload apart, which costs every client a writev.
import type { MemoryRing } from '../ports/memory-ring.js';

/** RFC 6455 §5.2 first byte: FIN set, opcode 0x2 (binary). */
const FIN_BINARY = 0x82;

/** One frame, ready to be written as is to any client's socket (never modified afterwards). */
export interface BinaryFrame {
  /** Header and payload, contiguous. */
  readonly bytes: Buffer;
  /** How many stream bytes it carries. */
  readonly payloadBytes: number;
}

/** One unmasked, final binary frame (server → client) carrying `parts` in order, in one buffer. */
export function frameBinary(parts: readonly Uint8Array[]): Buffer {
  let payloadBytes = 0;
  for (const part of parts) payloadBytes += part.byteLength;
  const lengthBytes = payloadBytes > 0xffff ? 8 : payloadBytes > 125 ? 2 : 0;
  const frame = Buffer.allocUnsafe(2 + lengthBytes + payloadBytes);
  frame[0] = FIN_BINARY;
  if (lengthBytes === 0) frame[1] = payloadBytes;
  else if (lengthBytes === 2) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadBytes, 2);
  } else {
    frame[1] = 127;
    frame[2] = frame[3] = 0; // the top 16 bits: a JS length fits in the remaining 48
    frame.writeUIntBE(payloadBytes, 4, 6);
  }
  let at = 2 + lengthBytes;
  for (const part of parts) {
    frame.set(part, at);
    at += part.byteLength;
  }
  return frame;
}

/**
 * Frames memory-ring ranges of up to `maxPayloadBytes`, keeping the latest frame: the next client
 * asking for the same range (same offset, same end) gets the same buffer, not a copy.
 */
export class SharedFrames {
  private latest: { offset: number; end: number; frame: BinaryFrame } | null = null;

  constructor(
    private readonly ring: MemoryRing,
    private readonly maxPayloadBytes: number,
  ) {}

  /** The frame carrying [offset, min(end, offset + maxPayloadBytes)); [offset, end) must be in the ring. */
  frameAt(offset: number, end: number): BinaryFrame {
    const stop = Math.min(end, offset + this.maxPayloadBytes);
    const latest = this.latest;
    if (latest && latest.offset === offset && latest.end === stop) return latest.frame;
    const frame = { bytes: frameBinary(this.ring.read(offset, stop - offset)), payloadBytes: stop - offset };
    this.latest = { offset, end: stop, frame };
    return frame;
  }
}
