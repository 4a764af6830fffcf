// Issue 11: the page's memory with 10 series fed an hour's worth of 10 Hz samples (36,000 10-field JSON
// lines, fed as fast as the pty takes them, not waited for), then another hour's worth, with the
// console open and the plot's window at 1 h. The JS heap is read after a forced GC (CDP
// HeapProfiler.collectGarbage, Runtime.getHeapUsage) before, after the first and after the second
// hour. The server stamps arrival times, so fast-fed samples all land within seconds: what is
// measured is the number of samples the page has taken in, which is what could make it grow.
import { feedFlatOut, fieldNames, jsonLine } from '../json-feed.js';
import { heapAfterGc, openDataPage, waitForPage } from './data-page.js';
import { metric, type Figure } from './figure.js';

const SERIES = 10;
/** An hour of 10 Hz samples per series: one line carries every series. */
const LINES_PER_HOUR = 36_000;
/** Quick mode: six minutes' worth. */
const QUICK_LINES_PER_HOUR = 3600;
/** Longest the page may take to take in an hour's worth, in ms. */
const TAKE_IN_MS = 120_000;
/** Settling after the page has everything, before the GC, in ms: a plot frame or two, the tiles' timers. */
const SETTLE_MS = 1000;

/**
 * The budget, in MiB: the page's whole JS heap after a GC (console with its scrollback, plot, tiles
 * off) with a 1-h plot of 10 series. The plot's own store is bounded by construction (BucketRing:
 * five Float64Arrays of at most 4,001 buckets per series, 160 KiB a series, plus uPlot's aligned
 * columns); the rest of the page (xterm.js and its scrollback, the app) must not grow with samples.
 */
export const PAGE_HEAP_BUDGET_MIB = 64;
/** Second hour ÷ first hour: the heap must not grow with more samples. */
export const PAGE_HEAP_GROWTH_LIMIT = 1.1;

/** The figure (serialdeck only). */
export const pageMemoryFigure: Figure = {
  id: 'page-memory',
  runs: 3,
  title: `Page memory: ${SERIES} series, an hour of 10 Hz samples fed fast, then another (quick: ${QUICK_LINES_PER_HOUR / 600} min each), plot window 1 h, console open`,
  peers: ['serialdeck'],
  metrics: [
    metric('page-memory.heap0', 'JS heap after GC, page open, nothing fed', 'MiB', 1, 'median', false),
    metric('page-memory.heap1', 'JS heap after GC, after the first hour', 'MiB', 1, 'median', false),
    metric('page-memory.heap2', 'JS heap after GC, after the second hour', 'MiB', 1, 'median', false),
    metric('page-memory.growth', 'Heap after the second hour ÷ after the first', '×', 2, 'median', false),
    metric('page-memory.takeIn', 'Time the page took to take in an hour of samples (median of both)', 's', 1, 'median', false),
    metric('page-memory.records', 'Records the page received ÷ lines sent', '×', 3, 'median', false),
  ],
  async measure(_peer, scale) {
    const perHour = scale.quick ? QUICK_LINES_PER_HOUR : LINES_PER_HOUR;
    const data = await openDataPage();
    try {
      const { page, cdp, pair, peer } = data;
      await page.getByLabel('Plot window').selectOption({ label: '1 h' });
      await page.waitForTimeout(SETTLE_MS); // the 1-h window's fill from the server
      const heap0 = await heapAfterGc(cdp);
      const names = fieldNames(SERIES);
      const heaps: number[] = [];
      const takeIn: number[] = [];
      let records = 0;
      for (let hour = 0; hour < 2; hour++) {
        const t0 = performance.now();
        await feedFlatOut(pair.board, (seq) => jsonLine(names, seq), hour * perHour, perHour);
        const end = (await peer.port()).stream.end;
        if (!(await waitForPage(page, (hour + 1) * perHour, end, TAKE_IN_MS)))
          throw new Error(`the page did not take in hour ${hour + 1} within ${TAKE_IN_MS / 1000} s`);
        takeIn.push((performance.now() - t0) / 1000);
        await page.waitForTimeout(SETTLE_MS);
        heaps.push(await heapAfterGc(cdp));
        records = await page.evaluate(() => (window as unknown as { __bench: { records: number } }).__bench.records);
      }
      const [heap1, heap2] = heaps as [number, number];
      return {
        'page-memory.heap0': heap0,
        'page-memory.heap1': heap1,
        'page-memory.heap2': heap2,
        'page-memory.growth': heap2 / heap1,
        'page-memory.takeIn': ((takeIn[0] ?? 0) + (takeIn[1] ?? 0)) / 2,
        'page-memory.records': records / (2 * perHour),
      };
    } finally {
      await data.close();
    }
  },
};
