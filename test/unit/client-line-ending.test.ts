import { describe, expect, it } from 'vitest';
import { encodeLine, isLineEnding, splitFrames } from '../../client/controls/line-ending.js';

describe('encodeLine', () => {
  it.each([
    ['none', [0x68, 0x69]],
    ['lf', [0x68, 0x69, 0x0a]],
    ['cr', [0x68, 0x69, 0x0d]],
    ['crlf', [0x68, 0x69, 0x0d, 0x0a]],
  ] as const)('appends the %s ending', (ending, bytes) => {
    expect(Array.from(encodeLine('hi', ending))).toEqual(bytes);
  });

  it('encodes text as UTF-8', () => {
    expect(Array.from(encodeLine('°C', 'lf'))).toEqual([0xc2, 0xb0, 0x43, 0x0a]);
  });

  it('sends a bare ending for an empty line', () => {
    expect(Array.from(encodeLine('', 'crlf'))).toEqual([0x0d, 0x0a]);
  });
});

describe('isLineEnding', () => {
  it('accepts only the protocol keys', () => {
    expect(['none', 'lf', 'cr', 'crlf'].every(isLineEnding)).toBe(true);
    expect(isLineEnding('LF')).toBe(false);
    expect(isLineEnding('toString')).toBe(false);
    expect(isLineEnding(undefined)).toBe(false);
  });
});

describe('splitFrames', () => {
  it('splits into frames of at most maxBytes, in order, losing nothing', () => {
    const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);
    const frames = splitFrames(bytes, 4);
    expect(frames.map((f) => f.length)).toEqual([4, 4, 2]);
    expect(frames.flatMap((f) => Array.from(f))).toEqual(Array.from(bytes));
    expect(splitFrames(new Uint8Array(0), 4)).toEqual([]);
  });

  it('rejects a non-positive frame size', () => {
    expect(() => splitFrames(new Uint8Array(1), 0)).toThrow(RangeError);
  });
});
