import { describe, expect, it } from 'vitest';
import { crc32, tableCrc32 } from '../../server/capture/crc32.js';
import {
  checksumMatches,
  encodeRecords,
  KIND_DATA,
  KIND_EVENT,
  KIND_WRITE,
  MAX_RECORD_PAYLOAD_BYTES,
  readHeader,
  RECORD_HEADER_BYTES,
} from '../../server/capture/record-codec.js';
import { utf8 } from './capture-fixtures.js';

describe('crc32', () => {
  it('matches the standard check values', () => {
    expect(crc32(utf8(''))).toBe(0);
    expect(crc32(utf8('123456789'))).toBe(0xcbf43926);
    expect(crc32(utf8('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });
  it('covers exactly [start, end)', () => {
    const bytes = utf8('xx123456789yy');
    expect(crc32(bytes, 2, 11)).toBe(0xcbf43926);
    expect(tableCrc32(bytes, 2, 11)).toBe(0xcbf43926);
  });
  it('gives the same result with the table fallback as with zlib (the one older Node 20s use)', () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff);
    for (const [start, end] of [[0, 4096], [1, 4095], [100, 101], [5, 5]] as const)
      expect(tableCrc32(bytes, start, end)).toBe(crc32(bytes, start, end));
  });
});

describe('record codec', () => {
  const parseAll = (buf: Uint8Array) => {
    const out: Array<{ kind: number; offset: number; timeMs: number; source: string; payload: string }> = [];
    for (let p = 0; p < buf.length; ) {
      const h = readHeader(buf, p);
      if (!h) throw new Error(`bad header at ${p}`);
      expect(checksumMatches(buf, p, h)).toBe(true);
      const body = buf.subarray(p + RECORD_HEADER_BYTES, p + RECORD_HEADER_BYTES + h.payloadLength);
      const dec = new TextDecoder();
      out.push({
        kind: h.kind,
        offset: h.offset,
        timeMs: h.timeMs,
        source: dec.decode(body.subarray(0, h.sourceLength)),
        payload: dec.decode(body.subarray(h.sourceLength)),
      });
      p += RECORD_HEADER_BYTES + h.payloadLength;
    }
    return out;
  };

  it('round-trips the three kinds with 53-bit offsets and sub-ms times', () => {
    const big = 2 ** 52 + 12345;
    const buf = encodeRecords([
      { kind: KIND_DATA, offset: big, timeMs: 1700000000123.25, bytes: utf8('hello'), source: null },
      { kind: KIND_WRITE, offset: big + 5, timeMs: 1700000000124.5, bytes: utf8('ls\r'), source: 'ws:tab-3f2a' },
      { kind: KIND_EVENT, offset: big + 5, timeMs: 1700000000125, bytes: utf8('{"type":"open"}'), source: null },
    ]);
    expect(parseAll(buf)).toEqual([
      { kind: KIND_DATA, offset: big, timeMs: 1700000000123.25, source: '', payload: 'hello' },
      { kind: KIND_WRITE, offset: big + 5, timeMs: 1700000000124.5, source: 'ws:tab-3f2a', payload: 'ls\r' },
      { kind: KIND_EVENT, offset: big + 5, timeMs: 1700000000125, source: '', payload: '{"type":"open"}' },
    ]);
  });

  it('splits data larger than a record can hold into contiguous records', () => {
    const bytes = new Uint8Array(MAX_RECORD_PAYLOAD_BYTES * 2 + 10).fill(0x41);
    const buf = encodeRecords([{ kind: KIND_DATA, offset: 100, timeMs: 1, bytes, source: null }]);
    const records = parseAll(buf);
    expect(records.map((r) => r.offset)).toEqual([100, 100 + MAX_RECORD_PAYLOAD_BYTES, 100 + 2 * MAX_RECORD_PAYLOAD_BYTES]);
    expect(records.map((r) => r.payload.length)).toEqual([MAX_RECORD_PAYLOAD_BYTES, MAX_RECORD_PAYLOAD_BYTES, 10]);
  });

  it('tells a corrupt or torn record from a good one', () => {
    const buf = encodeRecords([{ kind: KIND_DATA, offset: 0, timeMs: 1, bytes: utf8('payload'), source: null }]);
    const header = readHeader(buf, 0)!;
    const flipped = Uint8Array.from(buf);
    flipped[RECORD_HEADER_BYTES + 2]! ^= 0x01;
    expect(checksumMatches(flipped, 0, header)).toBe(false);
    const badKind = Uint8Array.from(buf);
    badKind[8] = 9;
    expect(readHeader(badKind, 0)).toBeNull();
    expect(readHeader(new Uint8Array(RECORD_HEADER_BYTES), 0)).toBeNull(); // a zero-filled tail
    expect(readHeader(buf.subarray(0, RECORD_HEADER_BYTES - 1), 0)).toBeNull(); // a torn header
  });
});
