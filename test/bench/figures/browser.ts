// The browser: in headless Chromium, the fastest paced output the page's console renders without
// falling behind. Rates rise ×√2 each step; a step is kept up with when the server never had to
// skip the page ahead and the page has everything within a moment of the step's end.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { withDeadline } from '../deadline.js';
import { startGenerator } from '../generator.js';
import { startSerialdeck } from '../peers/serialdeck.js';
import { createPtyPair } from '../../helpers/pty-pair.js';
import { launchChromium } from '../../helpers/chromium.js';
import { metric, type Figure } from './figure.js';

/** Line length, in bytes: a typical log line (the latency figure's), so scrolling costs what it does in use. */
const LINE_BYTES = 115;
/** Rates tried, in MiB/s, ×√2 apart: from a fast UART's 0.25 to past what a pty pair delivers. */
const RATES_MIBS = Array.from({ length: 15 }, (_, i) => Math.round(0.25 * Math.SQRT2 ** i * 100) / 100);
/** Length of each step, in ms: long enough to fill the server's 1 MiB ack window at 0.5 MiB/s. */
const STEP_MS = 2000;
/** After a step, the page has this long to show everything, in ms (a kept-up page needs one frame). */
const CATCH_UP_MS = 1000;
/** Longest a step's generator may run past its time, in ms (serialdeck never holds the device up). */
const GENERATOR_GRACE_MS = 10_000;
/** Longest the page may take to load and connect, in ms. */
const PAGE_READY_MS = 15_000;
const MIB = 1024 * 1024;
const CLIENT_INDEX = fileURLToPath(new URL('../../../dist/client/index.html', import.meta.url));

/** Counts, inside the page, skipped-bytes notices arriving on any WebSocket (installed before the app runs). */
const COUNT_SKIPS_SCRIPT = `(() => {
  const Native = window.WebSocket;
  window.__benchSkips = 0;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && e.data.includes('"type":"skipped"')) window.__benchSkips++;
      });
    }
  };
})();`;

interface BenchWindow {
  __benchSkips?: number;
  serialdeck?: { offset(): number; state(): string };
}

/** The browser figure (serialdeck only: the floor and ser2net have no page). */
export const browserFigure: Figure = {
  id: 'browser',
  runs: 3, // each run is ~25 s of stepped traffic
  title: `Browser: headless Chromium console rendering paced output (${LINE_BYTES}-byte lines)`,
  peers: ['serialdeck'],
  metrics: [
    metric('browser.mibs', 'Highest rate the page kept up with', 'MiB/s', 2, 'median', false),
    metric('browser.failedAt', 'First rate it fell behind at (0: never)', 'MiB/s', 2, 'median', false),
  ],
  async measure(_peer, scale) {
    if (!existsSync(CLIENT_INDEX)) throw new Error('the client is not built (npm run build)');
    const pair = await createPtyPair({ openBoard: false });
    let browser: Browser | null = null;
    const peer = await startSerialdeck(pair.devicePath).catch(async (err: unknown) => {
      await pair.close();
      throw err;
    });
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.addInitScript(COUNT_SKIPS_SCRIPT);
      await page.goto(peer.pageUrl);
      await page.waitForFunction(() => (window as BenchWindow).serialdeck?.state() === 'open', undefined, {
        timeout: PAGE_READY_MS,
      });
      let kept = 0;
      let failedAt = 0;
      for (const rate of scale.quick ? RATES_MIBS.slice(0, 1) : RATES_MIBS) {
        if (!(await keepsUp(page, pair.boardPath, rate, scale.quick ? STEP_MS / 10 : STEP_MS))) {
          failedAt = rate;
          break;
        }
        kept = rate;
      }
      return { 'browser.mibs': kept, 'browser.failedAt': failedAt };
    } finally {
      await browser?.close();
      await peer.stop();
      await pair.close();
    }
  },
};

/** Runs one step at `rateMiBs`; true when the page got every byte, in time, with no skip. */
async function keepsUp(page: Page, boardPath: string, rateMiBs: number, stepMs: number): Promise<boolean> {
  const before = await pageCounters(page);
  const generator = startGenerator(boardPath, {
    lineBytes: LINE_BYTES,
    linesPerSecond: Math.round((rateMiBs * MIB) / LINE_BYTES),
    durationMs: stepMs,
  });
  try {
    generator.go(); // no priming: the page is already connected, and the offsets say what arrived
    const sent = await withDeadline(generator.result, stepMs + GENERATOR_GRACE_MS, 'the generator did not finish its step');
    const target = before.offset + sent.bytes;
    let caughtUp = true;
    await page
      .waitForFunction((t) => ((window as BenchWindow).serialdeck?.offset() ?? 0) >= t, target, { timeout: CATCH_UP_MS })
      .catch(() => (caughtUp = false));
    const after = await pageCounters(page);
    return caughtUp && after.offset >= target && after.skips === before.skips;
  } finally {
    await generator.terminate();
  }
}

async function pageCounters(page: Page): Promise<{ offset: number; skips: number }> {
  return page.evaluate(() => {
    const w = window as BenchWindow;
    return { offset: w.serialdeck?.offset() ?? 0, skips: w.__benchSkips ?? 0 };
  });
}
