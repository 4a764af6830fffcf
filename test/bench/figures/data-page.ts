// The page for the data figures (issue 11): serialdeck on a fresh pty pair, headless Chromium on a
// desktop-sized viewport (wide enough for the console and the plot side by side), the plot switched
// on beside the console, and counters installed before the app runs: SSE `record` events received,
// and (when recording) requestAnimationFrame deltas.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../../helpers/chromium.js';
import { createPtyPair, type PtyPair } from '../../helpers/pty-pair.js';
import { startSerialdeck, waitDeviceOpen, type SerialdeckPeer } from '../peers/serialdeck.js';

/** A desktop viewport, in CSS px: past the page's 1100-px side-by-side breakpoint. */
const VIEWPORT = { width: 1600, height: 1000 };
/** Longest the page may take to load and connect, in ms. */
const PAGE_READY_MS = 15_000;
const CLIENT_INDEX = fileURLToPath(new URL('../../../dist/client/index.html', import.meta.url));

/** Installed before the app: counts SSE records; records rAF deltas while __bench.recording. */
const PAGE_COUNTERS_SCRIPT = `(() => {
  const bench = { records: 0, frames: [], recording: false, longTasks: 0, longTaskMs: 0 };
  window.__bench = bench;
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('record', () => { bench.records++; });
    }
  };
  let last = 0;
  const tick = (t) => {
    if (bench.recording && last > 0) bench.frames.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  try {
    new PerformanceObserver((list) => {
      if (!bench.recording) return;
      for (const e of list.getEntries()) { bench.longTasks++; bench.longTaskMs += e.duration; }
    }).observe({ type: 'longtask', buffered: false });
  } catch {}
})();`;

/** What the page's counters hold. */
export interface PageCounters {
  records: number;
  frames: number[];
  longTasks: number;
  longTaskMs: number;
}

interface BenchWindow {
  __bench: PageCounters & { recording: boolean };
  serialdeck?: { offset(): number; state(): string };
}

/** The running page and what it runs on; close() tears it all down. */
export interface DataPage {
  pair: PtyPair;
  peer: SerialdeckPeer;
  page: Page;
  cdp: CDPSession;
  close(): Promise<void>;
}

/** Starts serialdeck and Chromium, opens the page with the console and the plot shown. */
export async function openDataPage(): Promise<DataPage> {
  if (!existsSync(CLIENT_INDEX)) throw new Error('the client is not built (npm run build)');
  const pair = await createPtyPair();
  let peer: SerialdeckPeer | null = null;
  let browser: Browser | null = null;
  const close = async (): Promise<void> => {
    await browser?.close();
    await peer?.stop();
    await pair.close();
  };
  try {
    peer = await startSerialdeck(pair.devicePath);
    await waitDeviceOpen(peer);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.addInitScript(PAGE_COUNTERS_SCRIPT);
    await page.goto(peer.pageUrl);
    await page.waitForFunction(() => (window as unknown as BenchWindow).serialdeck?.state() === 'open', undefined, {
      timeout: PAGE_READY_MS,
    });
    const plotButton = page.getByRole('button', { name: 'Plot', exact: true });
    if ((await plotButton.getAttribute('aria-pressed')) !== 'true') await plotButton.click();
    const consoleButton = page.getByRole('button', { name: 'Console', exact: true });
    await page.waitForFunction(() => document.querySelector('#view-plot')?.getAttribute('aria-pressed') === 'true', undefined, {
      timeout: PAGE_READY_MS,
    });
    if ((await consoleButton.getAttribute('aria-pressed')) !== 'true') throw new Error('the console is not shown beside the plot');
    await page.getByLabel('Plot window').waitFor({ timeout: PAGE_READY_MS });
    const cdp = await page.context().newCDPSession(page);
    return { pair, peer, page, cdp, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The page's counters now (frames: only when asked, they can be long). */
export async function pageCounters(page: Page, withFrames = false): Promise<PageCounters & { offset: number }> {
  return page.evaluate((frames) => {
    const w = window as unknown as BenchWindow;
    const b = w.__bench;
    return { records: b.records, frames: frames ? b.frames : [], longTasks: b.longTasks, longTaskMs: b.longTaskMs, offset: w.serialdeck?.offset() ?? 0 };
  }, withFrames);
}

/** Starts or stops recording frame times (and long tasks) in the page. */
export async function recordFrames(page: Page, on: boolean): Promise<void> {
  await page.evaluate((value) => {
    const b = (window as unknown as BenchWindow).__bench;
    if (value) {
      b.frames = [];
      b.longTasks = 0;
      b.longTaskMs = 0;
    }
    b.recording = value;
  }, on);
}

/** Waits until the page has `records` SSE records and the console `offset` bytes; false at the deadline. */
export async function waitForPage(page: Page, records: number, offset: number, timeoutMs: number): Promise<boolean> {
  return page
    .waitForFunction(
      ([r, o]) => {
        const w = window as unknown as BenchWindow;
        return w.__bench.records >= r && (w.serialdeck?.offset() ?? 0) >= o;
      },
      [records, offset] as const,
      { timeout: timeoutMs, polling: 100 },
    )
    .then(
      () => true,
      () => false,
    );
}

/** The page's JS heap in use after a forced GC (twice: the second collects what the first's finalizers freed), in MiB. */
export async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = await cdp.send('Runtime.getHeapUsage');
  return usage.usedSize / (1024 * 1024);
}

/** Chromium's own main-thread accounting (CDP Performance.getMetrics), in seconds: Script, Layout, RecalcStyle, Task. */
export async function mainThreadSeconds(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const out: Record<string, number> = {};
  for (const m of metrics) out[m.name] = m.value;
  return out;
}
