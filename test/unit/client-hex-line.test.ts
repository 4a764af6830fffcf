import { describe, expect, it } from 'vitest';
import { parseHexLine } from '../../client/controls/hex-line.js';

const bytesOf = (text: string) => {
  const parsed = parseHexLine(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return Array.from(parsed.bytes);
};

describe('parseHexLine', () => {
  it('reads pairs of hex digits, apart or run together, with or without 0x, in either case', () => {
    expect(bytesOf('48 69 0D 0a')).toEqual([0x48, 0x69, 0x0d, 0x0a]);
    expect(bytesOf('48690d0a')).toEqual([0x48, 0x69, 0x0d, 0x0a]);
    expect(bytesOf(' 0x01,0x03:00-0A;ff ')).toEqual([0x01, 0x03, 0x00, 0x0a, 0xff]);
    expect(bytesOf('00')).toEqual([0]);
  });

  it('says what is wrong with the token that is', () => {
    expect(parseHexLine('48 6g')).toEqual({ error: '"6g" is not hex: use 0-9 and A-F, two digits a byte' });
    expect(parseHexLine('48 A')).toEqual({ error: '"A" has an odd number of hex digits: write a byte as two (0A, not A)' });
    expect(parseHexLine('0x')).toEqual({ error: '"0x" is not hex: use 0-9 and A-F, two digits a byte' });
    expect(parseHexLine('   ')).toEqual({ error: 'type bytes in hex, e.g. 48 69 0D 0A' });
  });
});
