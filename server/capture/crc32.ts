// CRC-32 (IEEE 802.3, the zlib/PNG polynomial). zlib.crc32 where Node has it (20.15+, 22.2+):
// about four times the speed, which readers catching up from disk feel (the checksum of every
// record read is checked). Elsewhere a table-driven fallback, one byte at a time, written by hand
// because serialdeck supports every Node 20 (a Raspberry Pi often runs a distribution's older
// 20.x); it gives the same results (the tests pin known vectors).
import * as zlib from 'node:zlib';

/** zlib's native CRC-32, when this Node has it. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** The 256-entry lookup table for the reflected polynomial 0xEDB88320 (built once; it never changes). */
const CRC32_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of bytes[start, end) as an unsigned 32-bit number; equals zlib.crc32 of the same bytes. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (nativeCrc32) return nativeCrc32(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)) >>> 0;
  return tableCrc32(bytes, start, end);
}

/** The fallback: table-driven, one byte at a time (exported so the tests check it against the native one). */
export function tableCrc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc = (CRC32_TABLE[(crc ^ bytes[i]!) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
