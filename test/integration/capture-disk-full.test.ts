// Disk full on a real file system: a 1 MiB tmpfs (the tests run as root). The capture must pause
// with a reason, keep counting offsets, resume by itself once space is freed, and record how
// many bytes it could not capture.

import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURE_RESUME_EVENT, CaptureStore, PAUSE_RETRY_MS } from '../../server/capture/capture-store.js';
import { concat, patternBytes, testOptions, waitForStore } from '../unit/capture-fixtures.js';
import { fillDisk, mountSmallDisk, unmountSmallDisk } from '../helpers/small-disk.js';

let mountPoint = '';

beforeAll(async () => {
  mountPoint = await mountSmallDisk(1, 'serialdeck-capture-full-');
});

afterAll(async () => {
  await unmountSmallDisk(mountPoint);
});


describe('capture on a full disk', () => {
  it('pauses with a reason, keeps counting, resumes by itself when space is freed, and records the uncaptured bytes', async () => {
    const dir = join(mountPoint, 'port-1');
    const { options, lines } = testOptions(dir, { flushIntervalMs: 20, now: Date.now });
    const store = await CaptureStore.open(options);
    try {
      store.appendData(patternBytes(0, 1000), Date.now());
      await store.flush();
      expect(store.state).toEqual({ state: 'capturing' });
      const limitBefore = store.deliverLimit;
      expect(limitBefore).toBeGreaterThan(store.end);

      const filler = await fillDisk(mountPoint, 0, 'filler');
      let changes = 0;
      store.onChange(() => changes++);
      store.appendData(patternBytes(1000, 20_000), Date.now()); // needs pages the disk no longer has
      await waitForStore(store, () => store.state.state === 'paused', 10_000, 'paused');
      const paused = store.state;
      if (paused.state !== 'paused') throw new Error('unreachable');
      expect(paused.reason).toMatch(/ENOSPC/);
      expect(paused.sinceOffset).toBe(1000);
      expect(store.deliverLimit).toBe(Infinity); // the console keeps working from memory
      expect(changes).toBeGreaterThan(0);
      expect(lines.some((l) => l.includes('paused at offset 1000') && l.includes('ENOSPC'))).toBe(true);

      // While paused: offsets keep counting, nothing is buffered, appends never throw.
      store.appendData(patternBytes(21_000, 3000), Date.now());
      store.appendWrite(new TextEncoder().encode('x'), Date.now(), 'http');
      store.appendEvent({ type: 'baud', baud: 9600 }, Date.now());
      expect(store.end).toBe(24_000);
      await store.flush();
      expect(store.state.state).toBe('paused');

      await unlink(filler);
      await waitForStore(store, () => store.state.state === 'capturing', 5 * PAUSE_RETRY_MS, 'resumed');
      expect(store.deliverLimit).toBeGreaterThan(store.end);
      expect(lines.some((l) => l.includes('resumed at offset 24000') && l.includes('23000 bytes were not captured'))).toBe(true);

      store.appendData(patternBytes(24_000, 500), Date.now());
      await store.flush();
      const records = [];
      for await (const r of store.records(0, Infinity)) records.push(r);
      const resume = records.find((r) => r.kind === 'event' && r.event.type === CAPTURE_RESUME_EVENT);
      expect(resume).toMatchObject({
        offset: 24_000,
        event: { from: 1000, to: 24_000, uncapturedBytes: 23_000, droppedWrites: 1, droppedEvents: 1 },
      });
      // The gap reads as a gap: the bytes before it end at 1000, a reader inside it skips to 24000.
      const before = await store.readData(0, 100_000);
      expect(concat(before.chunks)).toEqual(patternBytes(0, 1000));
      const inside = await store.readData(5000, 100_000);
      expect(inside.offset).toBe(24_000);
      expect(concat(inside.chunks)).toEqual(patternBytes(24_000, 500));
    } finally {
      await store.close();
    }
    // The clean close marks where to continue, gap and all.
    const reopened = await CaptureStore.open(options);
    expect(reopened.resumeOffset).toBe(24_500);
    await reopened.close();
  });
});
