import { describe, expect, it } from 'vitest';
import { bufferText, type BufferLike } from '../../client/console/screen-text.js';
import { noticeText, skippedMessage } from '../../client/console/notices.js';

/** A buffer of fixed-width rows, as xterm keeps them (padded with spaces). */
const buffer = (rows: Array<[text: string, wrapped?: boolean]>, cols = 8): BufferLike => ({
  length: rows.length,
  getLine: (y) => {
    const row = rows[y];
    if (!row) return undefined;
    const padded = row[0].padEnd(cols, ' ');
    return { isWrapped: row[1] ?? false, translateToString: (trim) => (trim ? padded.trimEnd() : padded) };
  },
});

describe('bufferText', () => {
  it('joins rows with newlines, trimming trailing spaces and empty rows', () => {
    expect(bufferText(buffer([['> help'], ['ok  '], [''], ['']]))).toBe('> help\nok');
  });

  it('joins rows xterm wrapped back into one device line, keeping inner spaces', () => {
    expect(bufferText(buffer([['abc def '], ['ghi', true], ['next']]))).toBe('abc def ghi\nnext');
  });

  it('returns an empty string for an empty buffer', () => {
    expect(bufferText(buffer([]))).toBe('');
  });
});

describe('notices', () => {
  it('start a fresh line only when the cursor is mid-line, and abort a half-written escape', () => {
    expect(noticeText('x', true).startsWith('\x18\x1b[0m\x1b[')).toBe(true);
    expect(noticeText('x', false).startsWith('\x18\x1b[0m\r\n')).toBe(true);
    expect(noticeText('12 bytes skipped', true)).toContain('[serialdeck: 12 bytes skipped]');
  });

  it('name the reason for skipped bytes', () => {
    expect(skippedMessage(12345, 'slow-client')).toBe('12345 bytes skipped (this page fell behind)');
    expect(skippedMessage(7, 'not-buffered')).toBe('7 bytes skipped (no longer kept by the server)');
  });
});
