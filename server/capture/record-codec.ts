// The on-disk record format of a capture segment (docs/capture.md has the full layout).
// A segment file is SEGMENT_MAGIC followed by records; each record is a fixed 28-byte header
// (little-endian) and its payload:
//    0  u32  payload length in bytes
//    4  u32  CRC-32 of bytes [8, 28 + payload length): the rest of the header and the payload
//    8  u8   kind: 1 data, 2 write, 3 event
//    9  u8   flags, 0 (reserved; a non-zero value reads as corruption)
//   10  u16  source length: for a write, the UTF-8 source at the start of the payload; else 0
//   12  u32  stream offset, low 32 bits
//   16  u32  stream offset, high 32 bits (offsets stay below 2^53)
//   20  f64  arrival time, ms since the Unix epoch
//   28  ...  payload: data bytes; source + written bytes; or the event as UTF-8 JSON
// The length lets a reader skip; the checksum tells a torn or corrupt record from a good one.

import { crc32 } from './crc32.js';

/** First bytes of every segment file: names the format and its version. */
export const SEGMENT_MAGIC: Uint8Array = new TextEncoder().encode('SDCAPv1\n');
/** Size of a record header, in bytes. */
export const RECORD_HEADER_BYTES = 28;
/**
 * Largest payload of one record, in bytes: 1 MiB. Larger appends are split into several records
 * (data offsets stay contiguous), so a reader never needs more than this plus a header at once,
 * and a corrupt length field cannot make it allocate gigabytes.
 */
export const MAX_RECORD_PAYLOAD_BYTES = 1024 * 1024;

/** Kind code of a data record (bytes received; occupies stream offsets). */
export const KIND_DATA = 1;
/** Kind code of a write record (bytes sent to the port, with their source). */
export const KIND_WRITE = 2;
/** Kind code of an event record (JSON with a string `type`). */
export const KIND_EVENT = 3;
/** A record kind code. */
export type KindCode = typeof KIND_DATA | typeof KIND_WRITE | typeof KIND_EVENT;

const TWO_POW_32 = 0x1_0000_0000;
const MAX_OFFSET_HIGH = 0x1f_ffff; // offsets are JavaScript-safe integers: 53 bits

/** A record waiting to be written: `bytes` is the data, the written bytes, or the event's JSON. */
export interface PendingRecord {
  kind: KindCode;
  offset: number;
  timeMs: number;
  bytes: Uint8Array;
  source: string | null;
}

/** A record's header fields as read from disk. */
export interface RecordHeader {
  payloadLength: number;
  crc: number;
  kind: KindCode;
  sourceLength: number;
  offset: number;
  timeMs: number;
}

/** Encodes records, in order, into one buffer ready for a single write; oversized ones are split. */
export function encodeRecords(records: readonly PendingRecord[]): Buffer {
  const sources: Array<number> = new Array<number>(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    const sourceLength = rec.source === null ? 0 : Buffer.byteLength(rec.source);
    sources[i] = sourceLength;
    const room = MAX_RECORD_PAYLOAD_BYTES - sourceLength;
    const pieces = Math.max(1, Math.ceil(rec.bytes.length / room));
    total += pieces * (RECORD_HEADER_BYTES + sourceLength) + rec.bytes.length;
  }
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    const sourceLength = sources[i]!;
    const room = MAX_RECORD_PAYLOAD_BYTES - sourceLength;
    let from = 0;
    do {
      const to = Math.min(rec.bytes.length, from + room);
      // A split write keeps its offset (writes do not occupy stream offsets); split data advances.
      const offset = rec.kind === KIND_DATA ? rec.offset + from : rec.offset;
      pos = encodeOne(buf, pos, rec, sourceLength, offset, rec.bytes.subarray(from, to));
      from = to;
    } while (from < rec.bytes.length);
  }
  return buf;
}

function encodeOne(
  buf: Buffer,
  pos: number,
  rec: PendingRecord,
  sourceLength: number,
  offset: number,
  payload: Uint8Array,
): number {
  const payloadLength = sourceLength + payload.length;
  buf.writeUInt32LE(payloadLength, pos);
  buf.writeUInt8(rec.kind, pos + 8);
  buf.writeUInt8(0, pos + 9);
  buf.writeUInt16LE(sourceLength, pos + 10);
  buf.writeUInt32LE(offset % TWO_POW_32, pos + 12);
  buf.writeUInt32LE(Math.floor(offset / TWO_POW_32), pos + 16);
  buf.writeDoubleLE(rec.timeMs, pos + 20);
  let p = pos + RECORD_HEADER_BYTES;
  if (rec.source !== null) p += buf.write(rec.source, p, 'utf8');
  buf.set(payload, p);
  p += payload.length;
  buf.writeUInt32LE(crc32(buf, pos + 8, p), pos + 4);
  return p;
}

/** Parses the header at buf[pos]; null when its fields cannot belong to a valid record (corruption). */
export function readHeader(buf: Uint8Array, pos: number): RecordHeader | null {
  if (pos + RECORD_HEADER_BYTES > buf.length) return null;
  const view = new DataView(buf.buffer, buf.byteOffset + pos, RECORD_HEADER_BYTES);
  const payloadLength = view.getUint32(0, true);
  const kind = view.getUint8(8);
  const flags = view.getUint8(9);
  const sourceLength = view.getUint16(10, true);
  const high = view.getUint32(16, true);
  const timeMs = view.getFloat64(20, true);
  if (kind !== KIND_DATA && kind !== KIND_WRITE && kind !== KIND_EVENT) return null;
  if (flags !== 0 || payloadLength > MAX_RECORD_PAYLOAD_BYTES || high > MAX_OFFSET_HIGH) return null;
  if (sourceLength > payloadLength || (sourceLength !== 0 && kind !== KIND_WRITE)) return null;
  if (!Number.isFinite(timeMs)) return null;
  return {
    payloadLength,
    crc: view.getUint32(4, true),
    kind,
    sourceLength,
    offset: high * TWO_POW_32 + view.getUint32(12, true),
    timeMs,
  };
}

/** True when the record at buf[pos] (whose header is `header`, payload included in buf) matches its checksum. */
export function checksumMatches(buf: Uint8Array, pos: number, header: RecordHeader): boolean {
  return crc32(buf, pos + 8, pos + RECORD_HEADER_BYTES + header.payloadLength) === header.crc;
}
