// The line reader against a real capture on disk and a real Channel: after a restart, the last
// hour's series come back from the capture at start, stamped with the times recorded on disk.
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureStore } from '../../server/capture/capture-store.js';
import { PortLines } from '../../server/lines/port-lines.js';
import { Channel } from '../../server/ports/channel.js';
import { tempDir, testOptions } from '../unit/capture-fixtures.js';

const enc = new TextEncoder();
const MINUTE_MS = 60_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('lines: backfill from the capture after a restart', () => {
  it('shows the last hour of series at once, with the arrival times recorded on disk', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const { options, clock } = testOptions(dir);
    const start = clock.now;

    // First run: two hours of seed 000 readings, one a minute, each line in two reads.
    const first = await CaptureStore.open(options);
    const channel1 = new Channel(64 * 1024, first, () => clock.now);
    for (let minute = 0; minute < 120; minute++) {
      const t = start + minute * MINUTE_MS;
      const line = `{"temp":${20 + minute / 100},"humidity":40,"ppm":412,"pressure":101325}\r\n`;
      channel1.appendData(enc.encode(line.slice(0, 10)), t);
      channel1.appendData(enc.encode(line.slice(10)), t + 40);
    }
    channel1.dispose();
    await first.close();

    // Restart: a new store and channel over the same directory, and a line reader.
    clock.now = start + 120 * MINUTE_MS;
    const second = await CaptureStore.open(options);
    cleanups.push(() => second.close());
    const channel2 = new Channel(64 * 1024, second, () => clock.now);
    const lines = new PortLines(channel2, {
      clock: { now: () => clock.now, setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    });
    cleanups.push(async () => lines.close());
    await lines.start();

    const [temp] = lines.series.series(['temp'], start, clock.now, 2000);
    expect(temp!.count).toBe(60);
    // Each point carries the arrival of its line's FIRST read, not the second one 40 ms later.
    expect(temp!.times[0]).toBe(start + 60 * MINUTE_MS);
    expect(temp!.times.at(-1)).toBe(start + 119 * MINUTE_MS);
    expect(temp!.values.at(-1)).toBeCloseTo(21.19);
    expect(lines.series.names()).toEqual(['temp', 'humidity', 'ppm', 'pressure']);
    expect(lines.stats).toMatchObject({ records: 60, gapBytes: 0, offset: channel2.end });
  });
});
