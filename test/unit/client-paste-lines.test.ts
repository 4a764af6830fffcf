import { describe, expect, it } from 'vitest';
import { hasLineBreak, LINE_BREAK_MARK, markLineBreaks, splitLines } from '../../client/controls/paste-lines.js';

describe('paste lines (bug 1: a multi-line paste became one line)', () => {
  it('splits at LF, CRLF, lone CR and the input mark; one trailing break ends the last line', () => {
    expect(splitLines('G28\nG1 X10\nM105\n')).toEqual(['G28', 'G1 X10', 'M105']);
    expect(splitLines('a\r\nb\rc')).toEqual(['a', 'b', 'c']);
    expect(splitLines(`a${LINE_BREAK_MARK}b`)).toEqual(['a', 'b']);
    expect(splitLines('a\n\nb\n')).toEqual(['a', '', 'b']); // an empty line in the middle is a line
  });

  it('keeps a single line as it is, an empty input as one empty line', () => {
    expect(splitLines('help')).toEqual(['help']);
    expect(splitLines('')).toEqual(['']);
    expect(hasLineBreak('help')).toBe(false);
  });

  it('shows line breaks in the one-line input as marks', () => {
    expect(hasLineBreak('a\r\nb')).toBe(true);
    expect(markLineBreaks('G28\r\nG1 X10\n')).toBe(`G28${LINE_BREAK_MARK}G1 X10`);
    expect(splitLines(markLineBreaks('x\ny\n'))).toEqual(['x', 'y']);
  });
});
