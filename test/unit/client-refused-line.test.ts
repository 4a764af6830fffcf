import { describe, expect, it } from 'vitest';
import { isWriteRefusal, REFUSAL_WINDOW_MS, RefusedLineWatch } from '../../client/controls/refused-line.js';

describe('RefusedLineWatch (bug 5: a refused line was cleared from the input)', () => {
  it('gives back the last line when a write refusal arrives within the window, once', () => {
    const watch = new RefusedLineWatch();
    watch.sent('status', 1000);
    expect(watch.refused('not-open', 1000 + 50)).toBe('status');
    expect(watch.refused('not-open', 1000 + 60)).toBeNull();
  });

  it('ignores errors that are not write refusals, and refusals after the window', () => {
    const watch = new RefusedLineWatch();
    watch.sent('a', 0);
    expect(watch.refused('bad-message', 10)).toBeNull();
    expect(watch.refused('write-queue-full', REFUSAL_WINDOW_MS + 1)).toBeNull();
    expect(['not-open', 'read-only', 'write-queue-full'].every(isWriteRefusal)).toBe(true);
    expect(isWriteRefusal('timeout')).toBe(false);
  });

  it('attributes a refusal to the newest line, and to none after clear()', () => {
    const watch = new RefusedLineWatch();
    watch.sent('first', 0);
    watch.sent('second', 5);
    expect(watch.refused('read-only', 10)).toBe('second');
    watch.sent('third', 20);
    watch.clear();
    expect(watch.refused('read-only', 30)).toBeNull();
  });
});
