import { describe, expect, it } from 'vitest';
import type { CaptureStatus } from '../../server/wire/api.js';
import type { SkipReason } from '../../server/wire/protocol.js';
import { skippedMessage } from '../../client/console/notices.js';
import { skippedEntry, skippedNotice } from '../../client/console/skipped-ranges.js';

const capturing: CaptureStatus = { state: 'capturing', start: 0, startTimeMs: null, bytesOnDisk: 1 };
const off: CaptureStatus = { ...capturing, state: 'off' };

describe('skipped notices', () => {
  it('say how many bytes were skipped and why, for each reason', () => {
    const texts = (['slow-client', 'not-buffered', 'not-captured', 'lost'] as const).map((reason) => skippedMessage(4096, reason));
    expect(texts).toEqual([
      '4096 bytes skipped (this page fell behind)',
      '4096 bytes skipped (no longer kept by the server)',
      '4096 bytes skipped (capture was paused while they passed)',
      '4096 bytes skipped (lost: the server stopped before saving them)',
    ]);
    expect(skippedMessage(1, 'lost')).toMatch(/^1 byte skipped/);
    expect(skippedMessage(9, 'mystery' as SkipReason)).toBe('9 bytes skipped');
  });

  it('give the range that ends where the stream continues', () => {
    for (const reason of ['slow-client', 'not-buffered', 'not-captured', 'lost'] as const) {
      expect(skippedEntry('uno', { bytes: 1000, offset: 5000, reason }, capturing)).toMatchObject({ from: 4000, to: 5000, bytes: 1000, reason });
    }
  });

  it("offer a slow client's skipped range as timestamped text from the capture", () => {
    const entry = skippedEntry('uno', { bytes: 1000, offset: 5000, reason: 'slow-client' }, capturing);
    expect(entry.href).toBe('api/ports/uno/download?from=4000&to=5000&format=text');
    expect(skippedNotice(entry)).toBe('1000 bytes skipped (this page fell behind) — download them from "Skipped" below');
  });

  it('offer no download where the server never kept the bytes', () => {
    for (const reason of ['not-buffered', 'not-captured', 'lost'] as const) {
      const entry = skippedEntry('uno', { bytes: 10, offset: 10, reason }, capturing);
      expect(entry.href).toBeNull();
      expect(skippedNotice(entry)).toBe(`${skippedMessage(10, reason)}; not kept, so not downloadable`);
    }
    // Capture off: a slow client's bytes left memory, and there is no disk copy.
    expect(skippedEntry('uno', { bytes: 10, offset: 10, reason: 'slow-client' }, off).href).toBeNull();
  });
});
