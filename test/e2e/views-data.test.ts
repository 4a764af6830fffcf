// The data views in Chromium against the demo board (JSON readings once a second): the tiles show its
// four readings and follow them, the plot shows every series, pause holds the range while data comes,
// a drag zooms, CSV export saves the visible points, and a phone shows one view at a time. Waits are
// on what the page shows (data attributes the views publish), never sleeps.
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import { DESKTOP, launchBrowser, openPage, PHONE, poll, startServer, waitForState } from '../helpers/browser.js';

const READINGS = ['temp', 'humidity', 'ppm', 'pressure'];

let browser: Browser | undefined;
let server: RunningServer | undefined;
const contexts: BrowserContext[] = [];
let pageErrors: Error[][] = [];

beforeAll(async () => {
  await Promise.all([
    launchBrowser().then((b) => (browser = b)),
    startServer({ ports: ['demo', { path: 'demo', name: 'second' }] }).then((s) => (server = s)),
  ]);
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  // An exception thrown inside the page fails the test that caused it.
  expect(pageErrors.flat().map(String)).toEqual([]);
  pageErrors = [];
});

afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()]);
});

async function open(viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
  if (!browser || !server) throw new Error('beforeAll did not start the browser and server');
  const opened = await openPage(browser, server.url, viewport);
  contexts.push(opened.context);
  pageErrors.push(opened.errors);
  await waitForState(opened.page, 'open');
  return opened.page;
}

/** Each tile's field, shown value and last update time. */
function tiles(page: Page) {
  return page.locator('#tiles .tile').evaluateAll((els) =>
    els.map((el) => ({
      field: (el as HTMLElement).dataset.field ?? '',
      value: el.querySelector('.tile-value')?.textContent ?? '',
      range: el.querySelector('.tile-range')?.textContent ?? '',
      time: Number((el as HTMLElement).dataset.time),
      spark: el.querySelector('path')?.getAttribute('d') ?? '',
    })),
  );
}

/** What the plot publishes about itself: series count, points, visible range, following. */
function plotState(page: Page) {
  return page.locator('#plot').evaluate((el) => {
    const d = (el as HTMLElement).dataset;
    return {
      series: Number(d.series ?? 0),
      points: Number(d.points ?? 0),
      from: Number(d.from ?? 0),
      to: Number(d.to ?? 0),
      following: d.following !== undefined,
      scale: d.scale ?? '',
      axisSeries: d.axisSeries ?? '',
      legend: [...el.querySelectorAll('.u-legend .u-series .u-label')].map((l) => l.textContent ?? ''),
    };
  });
}

/** Per series, the real values at the plot's bottom and top (its legend row's data attributes). */
function spans(page: Page): Promise<Record<string, { bottom: number; top: number }>> {
  return page.locator('#plot .u-legend .u-series[data-series]').evaluateAll((rows) =>
    Object.fromEntries(
      rows.map((r) => {
        const d = (r as HTMLElement).dataset;
        return [d.series ?? '', { bottom: Number(d.bottom), top: Number(d.top) }];
      }),
    ),
  );
}

/** The values the legend shows for the cursor's point, by series. */
function legendValues(page: Page): Promise<Record<string, number>> {
  return page.locator('#plot .u-legend .u-series[data-series]').evaluateAll((rows) =>
    Object.fromEntries(
      rows.map((r) => [(r as HTMLElement).dataset.series ?? '', Number((r.querySelector('.u-value')?.textContent ?? '').replace(/[^\d.-]/g, ''))]),
    ),
  );
}

/** The y axis' labels in the per-series mode, as numbers (the axis is drawn on canvas; the plot publishes them). */
async function axisLabels(page: Page): Promise<number[]> {
  const text = (await page.locator('#plot').getAttribute('data-axis-labels')) ?? '';
  return text === '' ? [] : text.split(' | ').map((v) => Number(v.replace(/,/g, '')));
}

/** Newest update time over all tiles (ms, server time). */
async function newestTile(page: Page): Promise<number> {
  return Math.max(0, ...(await tiles(page)).map((t) => t.time));
}

describe('data views', () => {
  it('tiles show the demo board’s four readings, with min/max and a trend, and follow new readings', async () => {
    const page = await open();
    expect(await page.locator('#tiles').isVisible()).toBe(false); // the console alone, as before
    await page.locator('#view-tiles').click();
    expect(await page.locator('#view-tiles').getAttribute('aria-pressed')).toBe('true');
    await poll(async () => (await tiles(page)).map((t) => t.field).sort()).toEqual([...READINGS].sort());
    expect(await page.locator('#terminal').isVisible()).toBe(true); // side by side on a desktop

    const first = await tiles(page);
    for (const t of first) {
      expect(t.value, t.field).toMatch(/^-?\d+(\.\d+)?$/);
      expect(t.range, t.field).toMatch(/^min -?[\d.]+ · max -?[\d.]+$/);
    }
    // Readings come once a second: within a few, every tile has a newer one and some value has changed.
    const before = new Map(first.map((t) => [t.field, t]));
    await poll(async () => (await tiles(page)).every((t) => t.time > before.get(t.field)!.time), 15_000).toBe(true);
    await poll(async () => (await tiles(page)).some((t) => t.value !== before.get(t.field)!.value), 20_000).toBe(true);
    await poll(async () => (await tiles(page)).every((t) => /^M[\d.]+ [\d.]+ L/.test(t.spark)), 15_000).toBe(true);
    expect(await page.locator('#tiles .tile[data-stale]').count()).toBe(0);
  });

  it('the plot shows every series, pauses and follows, zooms by drag, and exports the visible points as CSV', async () => {
    const page = await open();
    await page.locator('#view-tiles').click(); // the tiles say when a new reading has come
    await page.locator('#view-plot').click();
    await poll(async () => (await plotState(page)).series).toBe(4);
    const legend = (await plotState(page)).legend;
    expect(legend.slice(1).sort()).toEqual([...READINGS].sort());
    // Two rows per bucket (its extremes): 6 rows are at least three readings, all of them in view.
    await poll(async () => (await plotState(page)).points, 15_000).toBeGreaterThanOrEqual(6);
    expect((await plotState(page)).following).toBe(true);

    // Following: the range moves on by itself.
    const live = await plotState(page);
    expect(live.to - live.from).toBe(60_000); // the default 1-minute window
    await poll(async () => (await plotState(page)).to, 15_000).toBeGreaterThan(live.to);

    // Paused: new readings come (the tiles show them), the range stays.
    await page.locator('.plot-follow').click();
    const held = await plotState(page);
    expect(held.following).toBe(false);
    const seen = await newestTile(page);
    await poll(() => newestTile(page), 15_000).toBeGreaterThan(seen);
    const after = await plotState(page);
    expect([after.from, after.to]).toEqual([held.from, held.to]);

    // CSV of what is visible: every series, rows inside the visible range, in time order.
    const [saved] = await Promise.all([page.waitForEvent('download'), page.locator('.plot-export').click()]);
    expect(saved.suggestedFilename()).toMatch(/^demo-plot-.*\.csv$/);
    const text = await readFile(await saved.path(), 'utf8');
    const [header, ...rows] = text.trimEnd().split('\r\n');
    expect(header).toBe(`time_ms,time,${legend.slice(1).join(',')}`);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const times = rows.map((r) => Number(r.split(',')[0]));
    expect(times.every((t) => t >= held.from && t <= held.to)).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const row of rows) expect(row).toMatch(/^\d+,\d{4}-\d\d-\d\dT[\d:.]+Z(,(-?[\d.]+)?){4}$/);
    expect(rows.some((r) => r.split(',').slice(2).every((v) => v !== ''))).toBe(true);

    // Follow again, then a drag across the chart zooms in and stops following.
    await page.locator('.plot-follow').click();
    await poll(async () => (await plotState(page)).following).toBe(true);
    const box = await page.locator('#plot .u-over').boundingBox();
    if (!box) throw new Error('the plot has no drawing area');
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await poll(async () => (await plotState(page)).following).toBe(false);
    const zoomed = await plotState(page);
    expect(zoomed.to - zoomed.from).toBeLessThan(60_000 * 0.5);
  });

  it('each series its own range: temp ~21 and pressure ~101325 both fill the plot, with real values in the legend, and the choice survives a reload', async () => {
    const page = await open();
    await page.locator('#view-plot').click();
    await poll(async () => (await plotState(page)).series).toBe(4);
    await poll(async () => (await plotState(page)).points, 15_000).toBeGreaterThanOrEqual(4);
    // Shared (the default): temp is drawn on pressure's axis, a flat line at the bottom.
    expect(await page.locator('.plot-scale').inputValue()).toBe('shared');
    await poll(async () => (await spans(page)).temp?.top ?? 0).toBeGreaterThan(100_000);

    await page.locator('.plot-scale').selectOption('each');
    const each = async (p: Page): Promise<void> => {
      await poll(async () => (await plotState(p)).scale).toBe('each');
      await poll(async () => {
        const s = await spans(p);
        // Each series' bottom and top are near its own values (the demo: temp 15-30 °C, pressure 100500-102200 Pa).
        return [
          s.temp !== undefined && s.temp.bottom > 5 && s.temp.top < 40 && s.temp.top - s.temp.bottom < 20,
          s.pressure !== undefined && s.pressure.bottom > 100_000 && s.pressure.top < 103_000,
        ];
      }, 15_000).toEqual([true, true]);
      // The axis labels the first series' real values, not the 0..1 it is drawn on.
      const first = (await plotState(p)).legend[1]!;
      expect((await plotState(p)).axisSeries).toBe(first);
      const labels = await axisLabels(p);
      const span = (await spans(p))[first]!;
      expect(labels.length).toBeGreaterThan(1);
      const slack = (span.top - span.bottom) * 0.05; // labels are rounded to their step
      for (const v of labels) expect(v >= span.bottom - slack && v <= span.top + slack, `${v} in ${span.bottom}..${span.top}`).toBe(true);
      expect(Math.max(...labels) - Math.min(...labels)).toBeGreaterThan((span.top - span.bottom) * 0.3); // spread, not 0..1
    };
    await each(page);
    // Pointing at a series in the legend puts its values on the axis; hiding the first hands the axis on.
    await page.locator('#plot .u-legend .u-series[data-series="pressure"]').hover();
    await poll(async () => (await plotState(page)).axisSeries).toBe('pressure');
    await poll(async () => Math.min(...(await axisLabels(page)))).toBeGreaterThan(100_000);
    const [first, second] = (await plotState(page)).legend.slice(1);
    await page.locator(`#plot .u-legend .u-series[data-series="${first}"]`).click();
    await poll(async () => (await plotState(page)).axisSeries).toBe(second);
    await page.locator(`#plot .u-legend .u-series[data-series="${first}"]`).click();
    await poll(async () => (await plotState(page)).axisSeries).toBe(first);
    // The cursor's legend shows every series' real value.
    const box = await page.locator('#plot .u-over').boundingBox();
    if (!box) throw new Error('the plot has no drawing area');
    await page.locator('.plot-follow').click(); // hold the picture still under the cursor
    // A row holds one bucket's extreme of some series and a gap (--) for others: step left to a row with both.
    let values: Record<string, number> = {};
    for (let dx = 2; dx < box.width / 2; dx += 3) {
      await page.mouse.move(box.x + box.width - dx, box.y + box.height / 2);
      values = await legendValues(page);
      if (Number.isFinite(values.pressure) && Number.isFinite(values.temp)) break;
    }
    expect(values.pressure).toBeGreaterThan(100_000);
    expect(values.temp).toBeGreaterThan(5);
    expect(values.temp).toBeLessThan(40);

    await page.reload();
    await waitForState(page, 'open');
    if ((await page.locator('#view-plot').getAttribute('aria-pressed')) !== 'true') await page.locator('#view-plot').click();
    await poll(async () => (await plotState(page)).series).toBe(4);
    expect(await page.locator('.plot-scale').inputValue()).toBe('each');
    await each(page);
  });

  it('the window select reaches from 10 s to a day', async () => {
    const page = await open();
    await page.locator('#view-plot').click();
    await poll(async () => (await plotState(page)).series).toBe(4);
    expect(await page.locator('.plot-window option').allTextContents()).toEqual(['10 s', '1 min', '10 min', '1 h', '1 day']);
    await page.locator('.plot-window').selectOption({ label: '1 day' });
    await poll(async () => {
      const s = await plotState(page);
      return s.to - s.from;
    }).toBe(86_400_000);
    await page.locator('.plot-window').selectOption({ label: '10 s' });
    await poll(async () => {
      const s = await plotState(page);
      return s.to - s.from;
    }).toBe(10_000);
    await poll(async () => (await plotState(page)).points, 15_000).toBeGreaterThan(0);
  });

  it('switching ports shows the new port’s data in the views', async () => {
    const page = await open();
    await page.locator('#view-tiles').click();
    await poll(() => page.locator('#tiles').getAttribute('data-port')).toBe('demo');
    await page.locator('#port').selectOption({ label: 'second' });
    await poll(() => page.evaluate(() => window.serialdeck?.port())).not.toBe('demo');
    const second = await page.evaluate(() => window.serialdeck?.port() ?? '');
    await poll(() => page.locator('#tiles').getAttribute('data-port')).toBe(second);
    await poll(async () => (await tiles(page)).length, 15_000).toBe(4);
  });

  it('on a phone, one view at a time, and nothing scrolls sideways', async () => {
    const page = await open(PHONE);
    const shown = () =>
      page.evaluate(() => ['terminal', 'tiles', 'plot'].filter((id) => document.getElementById(id)?.checkVisibility() ?? false));
    expect(await shown()).toEqual(['terminal']);
    await page.locator('#view-tiles').click();
    await poll(shown).toEqual(['tiles']);
    await poll(async () => (await tiles(page)).length, 15_000).toBe(4);
    await page.locator('#view-plot').click();
    await poll(shown).toEqual(['plot']);
    await poll(async () => (await plotState(page)).series).toBe(4);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: document.documentElement.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.view);
    const plotBox = await page.locator('#plot .u-over').boundingBox();
    expect(plotBox?.width).toBeGreaterThan(PHONE.width * 0.6);
    await page.locator('#view-console').click();
    await poll(shown).toEqual(['terminal']);
  });
});
