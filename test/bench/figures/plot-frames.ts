// Issue 11: the plot's frame time in headless Chromium with 20 series at 1,000 samples/s each (one
// 20-field JSON line a millisecond on the pty) for 60 s, the console open beside the plot. Frame time
// is the delta between requestAnimationFrame callbacks in the page, so anything that holds the main
// thread (records arriving, the console rendering, the plot drawing) shows. What took the main thread
// comes from Chromium's own accounting (CDP Performance.getMetrics) and long tasks.
import { withDeadline } from '../deadline.js';
import { feedPaced, fieldNames, jsonLine } from '../json-feed.js';
import { percentile } from '../stats.js';
import { mainThreadSeconds, openDataPage, pageCounters, recordFrames, waitForPage } from './data-page.js';
import { metric, type Figure } from './figure.js';

const SERIES = 20;
const LINES_PER_S = 1000;
/** Traffic before frames are recorded, in ms: the series appear, the plot fills. */
const WARMUP_MS = 2000;
const QUICK_WARMUP_MS = 1000;
/** Frames recorded over this much traffic, in ms (the 60 s; quick: 5 s). */
const DURATION_MS = 60_000;
const QUICK_DURATION_MS = 5000;
/** Longest the page may take to have every record after the device stops, in ms. */
const DRAIN_MS = 15_000;
/**
 * One display frame of headless Chromium, in ms (60 Hz). requestAnimationFrame deltas come in whole
 * frames of it plus timer jitter (33.3–33.5 ms for two), so the target, ≥ 30 fps, is judged in frames:
 * a p95 of two frames is 30 fps.
 */
export const DISPLAY_FRAME_MS = 1000 / 60;

/** The figure (serialdeck only). */
export const plotFramesFigure: Figure = {
  id: 'plot-frames',
  runs: 3,
  title: `Plot in headless Chromium: ${SERIES} series × ${LINES_PER_S.toLocaleString('en-US')} samples/s each for ${DURATION_MS / 1000} s (quick: ${QUICK_DURATION_MS / 1000}), console open`,
  peers: ['serialdeck'],
  metrics: [
    metric('plot-frames.p50', 'Frame time p50 (requestAnimationFrame deltas)', 'ms', 1, 'median', false),
    metric('plot-frames.p95', 'Frame time p95', 'ms', 1, 'median', false),
    metric('plot-frames.p95Frames', 'Frame time p95, in 60 Hz display frames (2 = 30 fps)', 'frames', 0, 'median', false),
    metric('plot-frames.p99', 'Frame time p99', 'ms', 1, 'median', false),
    metric('plot-frames.max', 'Frame time max', 'ms', 0, 'max', false),
    metric('plot-frames.fps', 'Frames per second', 'fps', 1, 'median', false),
    metric('plot-frames.busy', 'Page main thread busy (Chromium task time ÷ wall time)', '%', 0, 'median', false),
    metric('plot-frames.script', 'of which script', '%', 0, 'median', false),
    metric('plot-frames.layout', 'of which layout and style', '%', 0, 'median', false),
    metric('plot-frames.longTasks', 'Long tasks (> 50 ms) per minute', 'count', 1, 'median', false),
    metric('plot-frames.series', 'Series on the plot', 'count', 0, 'median', false),
    metric('plot-frames.records', 'Records the page received ÷ lines sent', '×', 3, 'median', false),
  ],
  async measure(_peer, scale) {
    const warmupMs = scale.quick ? QUICK_WARMUP_MS : WARMUP_MS;
    const durationMs = scale.quick ? QUICK_DURATION_MS : DURATION_MS;
    const data = await openDataPage();
    try {
      const { page, cdp, pair, peer } = data;
      await cdp.send('Performance.enable');
      const names = fieldNames(SERIES);
      const feed = feedPaced(pair.board, (seq) => jsonLine(names, seq), LINES_PER_S, warmupMs + durationMs);
      await sleep(warmupMs);
      await recordFrames(page, true);
      const before = await mainThreadSeconds(cdp);
      const t0 = performance.now();
      await sleep(durationMs);
      const after = await mainThreadSeconds(cdp);
      const wallS = (performance.now() - t0) / 1000;
      await recordFrames(page, false);
      const counters = await pageCounters(page, true);
      const sent = await withDeadline(feed.done, DRAIN_MS, 'the feed did not finish');
      const end = (await peer.port()).stream.end;
      await waitForPage(page, sent.lines, end, DRAIN_MS);
      const final = await pageCounters(page);
      const series = Number(await page.locator('#plot').getAttribute('data-series'));
      const frames = [...counters.frames].sort((a, b) => a - b);
      const share = (name: string): number => (((after[name] ?? 0) - (before[name] ?? 0)) / wallS) * 100;
      return {
        'plot-frames.p50': percentile(frames, 50),
        'plot-frames.p95': percentile(frames, 95),
        'plot-frames.p95Frames': frames.length ? Math.round(percentile(frames, 95) / DISPLAY_FRAME_MS) : null,
        'plot-frames.p99': percentile(frames, 99),
        'plot-frames.max': frames.at(-1) ?? null,
        'plot-frames.fps': frames.length / wallS,
        'plot-frames.busy': share('TaskDuration'),
        'plot-frames.script': share('ScriptDuration'),
        'plot-frames.layout': share('LayoutDuration') + share('RecalcStyleDuration'),
        'plot-frames.longTasks': (counters.longTasks / wallS) * 60,
        'plot-frames.series': Number.isFinite(series) ? series : null,
        'plot-frames.records': final.records / sent.lines,
      };
    } finally {
      await data.close();
    }
  },
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
