// The binary payload of an output message: a fixed 32-byte header, then the serial bytes exactly.
// Written by hand (a DataView) because no library is needed for six fixed fields, and a JSON or
// base64 envelope would cost a third more bandwidth and a copy per chunk on a Pi.
//
//   byte 0      version (1)
//   byte 1      kind (OutKind)
//   bytes 2-3   reserved, 0
//   bytes 4-7   seq: uint32, big-endian; +1 per frame on the port's `out` topic (live and missing), carried
//               on across a node's restart from the last acknowledged frame (docs/fleet.md); a fetch's
//               answer counts its own frames from 0
//   bytes 8-15  offset: float64, big-endian; the stream offset of the first payload byte (< 2^53)
//   bytes 16-23 timeMs: float64, big-endian; server arrival time of the first payload byte, ms since the epoch
//   bytes 24-31 end: float64, big-endian; for `missing`, one past the last byte not held; otherwise offset + payload length
//   bytes 32-   payload

/** Header version written and accepted. */
export const OUT_FRAME_VERSION = 1;
/** Header size in bytes. */
export const OUT_FRAME_HEADER_BYTES = 32;

/** What a frame carries. */
export const OutKind = {
  /** Live output, in order, on the `out` topic. */
  live: 0,
  /** Bytes republished from the capture in answer to a fetch, on the console's replay topic. */
  replay: 1,
  /** The fetch is answered in full: nothing follows for it (offset = the fetch's end). */
  replayEnd: 2,
  /** [offset, end) is not held by the node's capture any more (or never was): it cannot be filled. */
  missing: 3,
} as const;
/** One of OutKind's values. */
export type OutKindValue = (typeof OutKind)[keyof typeof OutKind];

/** A decoded frame; `data` is a view into the message's buffer (copy it to keep it past the handler). */
export interface OutFrame {
  kind: OutKindValue;
  seq: number;
  offset: number;
  timeMs: number;
  end: number;
  data: Uint8Array;
}

/** Encodes a frame; `end` defaults to offset + data length. */
export function encodeOutFrame(frame: Omit<OutFrame, 'end'> & { end?: number }): Buffer {
  const out = Buffer.allocUnsafe(OUT_FRAME_HEADER_BYTES + frame.data.byteLength);
  const view = new DataView(out.buffer, out.byteOffset, OUT_FRAME_HEADER_BYTES);
  view.setUint8(0, OUT_FRAME_VERSION);
  view.setUint8(1, frame.kind);
  view.setUint16(2, 0);
  view.setUint32(4, frame.seq >>> 0);
  view.setFloat64(8, frame.offset);
  view.setFloat64(16, frame.timeMs);
  view.setFloat64(24, frame.end ?? frame.offset + frame.data.byteLength);
  out.set(frame.data, OUT_FRAME_HEADER_BYTES);
  return out;
}

/** Decodes a frame, or says why it is not one (short, another version, an unknown kind, offsets out of order). */
export function decodeOutFrame(payload: Uint8Array): { ok: true; frame: OutFrame } | { ok: false; error: string } {
  if (payload.byteLength < OUT_FRAME_HEADER_BYTES) return { ok: false, error: `frame of ${payload.byteLength} bytes is shorter than its ${OUT_FRAME_HEADER_BYTES}-byte header` };
  const view = new DataView(payload.buffer, payload.byteOffset, OUT_FRAME_HEADER_BYTES);
  const version = view.getUint8(0);
  if (version !== OUT_FRAME_VERSION) return { ok: false, error: `frame version ${version}, expected ${OUT_FRAME_VERSION}` };
  const kind = view.getUint8(1);
  if (kind > OutKind.missing) return { ok: false, error: `unknown frame kind ${kind}` };
  const offset = view.getFloat64(8);
  const end = view.getFloat64(24);
  const data = payload.subarray(OUT_FRAME_HEADER_BYTES);
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(end) || end < offset)
    return { ok: false, error: `frame offsets ${offset}..${end} are not a range` };
  if (kind !== OutKind.missing && end !== offset + data.byteLength) return { ok: false, error: `frame end ${end} is not offset ${offset} + ${data.byteLength} bytes` };
  return { ok: true, frame: { kind: kind as OutKindValue, seq: view.getUint32(4), offset, timeMs: view.getFloat64(16), end, data } };
}
