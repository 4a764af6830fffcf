import { describe, expect, it } from 'vitest';
import { formatDuration, formatSize, parseDuration, parseSize } from '../../server/config-units.js';

describe('parseSize', () => {
  it.each([
    [65536, 65536],
    ['65536', 65536],
    ['512KiB', 512 * 1024],
    ['512k', 512 * 1024],
    ['1MiB', 1024 ** 2],
    ['1 MB', 1024 ** 2],
    ['1.5MiB', 1.5 * 1024 ** 2],
    ['64M', 64 * 1024 ** 2],
    ['2GiB', 2 * 1024 ** 3],
    ['100B', 100],
  ])('%j is %i bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['3 parsecs', '', 'MiB', '-1MiB', '1e6', true, null, [1]])('refuses %j', (text) =>
    expect(parseSize(text)).toEqual({ refusal: expect.stringMatching(/^must be a size like 1MiB, 512KiB or 65536 \(bytes\), got /) }),
  );
});

describe('parseDuration', () => {
  it.each([
    [1500, 1500],
    ['250ms', 250],
    ['30s', 30_000],
    ['30m', 30 * 60_000],
    ['12h', 12 * 3_600_000],
    ['1.5h', 5_400_000],
    ['7d', 7 * 86_400_000],
    ['2w', 14 * 86_400_000],
  ])('%j is %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['forever', '7', '7 days', '', 'd'])('refuses %j (a unit is required in text)', (text) =>
    expect(parseDuration(text)).toEqual({ refusal: expect.stringMatching(/^must be a duration like 30m, 12h or 7d, got /) }),
  );
});

describe('formatSize and formatDuration', () => {
  it('print the largest unit that fits', () => {
    expect([formatSize(100), formatSize(4096), formatSize(1024 ** 2), formatSize(1.5 * 1024 ** 3), formatSize(1024 ** 4)]).toEqual([
      '100B', '4KiB', '1MiB', '1.5GiB', '1TiB',
    ]);
    expect([formatDuration(250), formatDuration(60_000), formatDuration(5_400_000), formatDuration(14 * 86_400_000)]).toEqual([
      '250ms', '1m', '1.5h', '14d',
    ]);
  });
});
