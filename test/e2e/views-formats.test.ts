// The plot and the tiles in Chromium on real firmware: serialdeck opens the emulated Uno's pty, the
// page's line input switches the sketch between its reading formats (`format json|plotter|csv`), and
// for each one the plot's four series (temp, humidity, ppm, pressure) get new points from records of
// that format, the tiles follow, and the parse counts show records of every format used. Waits are on
// what the page shows (data attributes the views publish), never sleeps.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARD_BAUD, startEmulatedUno, type EmulatedUno } from '../helpers/emulated-uno.js';
import { launchBrowser, openPage, poll, sendLine, startServer, waitForScreen, waitForState } from '../helpers/browser.js';
import type { TestServer } from '../helpers/test-server.js';

const READINGS = ['temp', 'humidity', 'ppm', 'pressure'];
/** Wait for a reading-driven change: readings come every 200 ms, the counts are read every 2 s. */
const DATA_WAIT_MS = 15_000;

let uno: EmulatedUno | undefined;
let server: TestServer | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let errors: Error[] = [];

beforeAll(async () => {
  await Promise.all([
    launchBrowser().then((b) => (browser = b)),
    startEmulatedUno().then(async (u) => {
      uno = u;
      server = await startServer({ ports: [{ path: u.path, baud: BOARD_BAUD }] });
    }),
  ]);
  if (!browser || !server) throw new Error('beforeAll did not start the browser and server');
  const opened = await openPage(browser, server.url);
  ({ page, context, errors } = opened);
  await waitForState(page, 'open');
  // Opening the pty resets the board: wait for its banner before typing.
  await waitForScreen(page, 'READY sensor-board');
});

afterAll(async () => {
  await context?.close();
  await Promise.all([browser?.close(), server?.close()]);
  await uno?.stop();
});

/** Each plot series in the legend: its name, newest point's time (server ms) and the format of the record it came in. */
function plotSeries(page: Page) {
  return page.locator('#plot .u-legend .u-series').evaluateAll((rows) =>
    rows.slice(1).map((row) => {
      const d = (row as HTMLElement).dataset;
      return { name: row.querySelector('.u-label')?.textContent ?? '', last: Number(d.last ?? 0), format: d.format ?? '' };
    }),
  );
}

/** Each tile's field and last update time (server ms). */
function tileTimes(page: Page) {
  return page.locator('#tiles .tile').evaluateAll((els) =>
    els.map((el) => ({ field: (el as HTMLElement).dataset.field ?? '', time: Number((el as HTMLElement).dataset.time ?? 0) })),
  );
}

/** The parse counts the page shows: its text and the numbers it publishes. */
function counts(page: Page) {
  return page.locator('#parse-counts').evaluate((el) => {
    const d = (el as HTMLElement).dataset;
    const n = (v: string | undefined) => Number(v ?? -1);
    return {
      text: el.textContent ?? '',
      visible: (el as HTMLElement).checkVisibility(),
      lines: n(d.lines),
      records: n(d.records),
      text_: n(d.text),
      json: n(d.json),
      plotter: n(d.plotter),
      csv: n(d.csv),
    };
  });
}

describe('the plot on the emulated Uno, in each reading format', () => {
  it('shows the parse counts and all four series as the board switches json → plotter → csv', async () => {
    await page.locator('#view-tiles').click();
    await page.locator('#view-plot').click();
    await sendLine(page, 'interval 200');
    await waitForScreen(page, 'OK interval 200');

    await poll(async () => (await counts(page)).visible).toBe(true);

    for (const format of ['json', 'plotter', 'csv'] as const) {
      const before = await counts(page);
      await sendLine(page, `format ${format}`);
      await waitForScreen(page, `OK format ${format}`);
      // The server counts new records of this format (the board prints nothing else now but readings).
      await poll(async () => (await counts(page))[format], DATA_WAIT_MS).toBeGreaterThanOrEqual(before[format] + 3);
      // From here on every reading is in `format`: the points and tile updates that come after are its.
      const switched = Date.now(); // the server runs on this machine: its clock is ours
      await poll(async () => {
        const series = await plotSeries(page);
        return series
          .filter((s) => s.last > switched && s.format === format)
          .map((s) => s.name)
          .sort();
      }, DATA_WAIT_MS).toEqual([...READINGS].sort());
      expect((await plotSeries(page)).map((s) => s.name).sort()).toEqual([...READINGS].sort()); // no stray series from any format
      await poll(async () => (await tileTimes(page)).filter((t) => t.time > switched).map((t) => t.field).sort(), DATA_WAIT_MS).toEqual(
        [...READINGS].sort(),
      );
    }

    // The counts add up and name every format used.
    const shown = await counts(page);
    expect(shown.json).toBeGreaterThanOrEqual(3);
    expect(shown.plotter).toBeGreaterThanOrEqual(3);
    expect(shown.csv).toBeGreaterThanOrEqual(3);
    expect(shown.records).toBe(shown.json + shown.plotter + shown.csv);
    expect(shown.lines).toBe(shown.records + shown.text_);
    expect(shown.text_).toBeGreaterThan(0); // the banner, the echoed commands, their replies, the CSV header
    expect(shown.text).toMatch(/^[\d,]+ lines · [\d,]+ records \(json [\d,]+, plotter [\d,]+, csv [\d,]+\) · [\d,]+ text$/);
    expect(errors.map(String)).toEqual([]);
  });
});
