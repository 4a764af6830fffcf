import { describe, expect, it } from 'vitest';
import type { CaptureStatus } from '../../server/wire/api.js';
import { captureWarningText } from '../../client/ui/capture-warning.js';

const capture = (state: CaptureStatus['state'], reason?: string): CaptureStatus => ({
  state,
  start: 0,
  startTimeMs: null,
  bytesOnDisk: 0,
  ...(reason === undefined ? {} : { reason }),
});

describe('captureWarningText', () => {
  it('warns while capture is paused, with the reason, and says the console keeps working', () => {
    expect(captureWarningText(capture('paused', 'disk full (ENOSPC)'))).toBe(
      'capture paused: disk full (ENOSPC); the console keeps working',
    );
    expect(captureWarningText(capture('paused'))).toBe(
      'capture paused: the server cannot write to its data directory; the console keeps working',
    );
  });

  it('says nothing while capturing, with capture off by choice, or before the state is known', () => {
    expect(captureWarningText(capture('capturing'))).toBeNull();
    expect(captureWarningText(capture('off'))).toBeNull();
    expect(captureWarningText(null)).toBeNull();
  });
});
