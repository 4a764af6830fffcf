// The benchmark's line: fixed length, sequence-numbered and stamped with its send time, so a
// consumer can tell lost, reordered and corrupted bytes apart and measure latency per line.
//
//   [0,12)   sequence number, 12 lowercase hex digits ("pppppppppppp" on a priming line)
//   [12]     space
//   [13,29)  send time, 16 lowercase hex digits: process.hrtime.bigint() in ns (CLOCK_MONOTONIC,
//            the same clock in every thread and process of this machine)
//   [29]     space
//   [30,L-1) filler, the same for every line of a length
//   [L-1]    '\n'

const SEQ_START = 0;
const SEQ_DIGITS = 12;
const TIME_START = 13;
const TIME_DIGITS = 16;
const FILLER_START = 30;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const PRIME_CHAR = 0x70; // 'p': not a hex digit, so a priming line never parses as a sequence number
const HEX_DIGITS = Buffer.from('0123456789abcdef');
const TWO_POW_32 = 2 ** 32;

/** Shortest line the layout allows: the fields, one filler byte and the newline. */
export const MIN_LINE_BYTES = FILLER_START + 2;

/** Hex value of each byte, or -1 where the byte is not a lowercase hex digit. */
const HEX_VALUE = (() => {
  const table = new Int8Array(256).fill(-1);
  HEX_DIGITS.forEach((c, i) => (table[c] = i));
  return table;
})();

/** A template line of `lineBytes` bytes: filler, separators and newline in place; fields to be written. */
export function lineTemplate(lineBytes: number): Buffer {
  if (!Number.isInteger(lineBytes) || lineBytes < MIN_LINE_BYTES)
    throw new RangeError(`line length must be an integer >= ${MIN_LINE_BYTES}, got ${lineBytes}`);
  const line = Buffer.alloc(lineBytes);
  const filler = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = FILLER_START; i < lineBytes - 1; i++) line[i] = filler.charCodeAt((i - FILLER_START) % filler.length);
  line[SEQ_DIGITS] = SPACE;
  line[FILLER_START - 1] = SPACE;
  line[lineBytes - 1] = NEWLINE;
  return line;
}

/** Writes line `seq` stamped `timeNs` at `offset` of `out`, which holds template copies of `template`. */
export function writeLine(out: Buffer, offset: number, template: Buffer, seq: number, timeNs: bigint): void {
  template.copy(out, offset);
  writeHex(out, offset + SEQ_START, SEQ_DIGITS, seq);
  writeHex(out, offset + TIME_START, 8, Number(timeNs >> 32n));
  writeHex(out, offset + TIME_START + 8, 8, Number(timeNs & 0xffffffffn));
}

/** Writes a priming line (no sequence number) stamped `timeNs` at `offset` of `out`. */
export function writePrimeLine(out: Buffer, offset: number, template: Buffer, timeNs: bigint): void {
  writeLine(out, offset, template, 0, timeNs);
  out.fill(PRIME_CHAR, offset + SEQ_START, offset + SEQ_START + SEQ_DIGITS);
}

/** What the bytes at `offset` hold: a line's sequence number, PRIME for a priming line, or CORRUPT. */
export function readSeq(buf: Buffer, offset: number, template: Buffer): number {
  const end = offset + template.length;
  if (
    buf[end - 1] !== NEWLINE ||
    buf[offset + SEQ_DIGITS] !== SPACE ||
    buf[offset + FILLER_START - 1] !== SPACE ||
    buf.compare(template, FILLER_START, template.length - 1, offset + FILLER_START, end - 1) !== 0
  )
    return CORRUPT;
  if (buf[offset] === PRIME_CHAR) {
    for (let i = 1; i < SEQ_DIGITS; i++) if (buf[offset + i] !== PRIME_CHAR) return CORRUPT;
    return readHex(buf, offset + TIME_START, TIME_DIGITS) < 0 ? CORRUPT : PRIME;
  }
  return readHex(buf, offset + SEQ_START, SEQ_DIGITS);
}

/** Send time of the well-formed line at `offset`, in ns on the hrtime clock (as a double: ~ns precision). */
export function readTimeNs(buf: Buffer, offset: number): number {
  const hi = readHex(buf, offset + TIME_START, 8);
  const lo = readHex(buf, offset + TIME_START + 8, 8);
  return hi < 0 || lo < 0 ? Number.NaN : hi * TWO_POW_32 + lo;
}

/** readSeq's result for a priming line. */
export const PRIME = -2;
/** readSeq's result for bytes that are not a well-formed line. */
export const CORRUPT = -1;

function writeHex(out: Buffer, at: number, digits: number, value: number): void {
  let v = value;
  for (let i = digits - 1; i >= 0; i--) {
    out[at + i] = HEX_DIGITS[v % 16] as number;
    v = Math.floor(v / 16);
  }
}

function readHex(buf: Buffer, at: number, digits: number): number {
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const d = HEX_VALUE[buf[at + i] as number] as number;
    if (d < 0) return CORRUPT;
    value = value * 16 + d;
  }
  return value;
}
