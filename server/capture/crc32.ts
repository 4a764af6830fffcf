// CRC-32 (IEEE 802.3, the zlib/PNG polynomial), table-driven, one byte at a time.
// Written by hand because zlib.crc32 only arrived in Node 20.15 / 22.2 and serialdeck supports
// every Node 20 (a Raspberry Pi often runs a distribution's older 20.x); the table variant is
// a dozen lines, has no native dependency, and runs at several hundred MB/s, far above any
// serial line. The result equals zlib.crc32 wherever that exists (the tests pin known vectors).

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
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc = (CRC32_TABLE[(crc ^ bytes[i]!) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
