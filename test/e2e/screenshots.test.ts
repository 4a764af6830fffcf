// Screenshots of the page on a fresh demo board (served beside a second one, so the port picker has a
// choice), at desktop and phone width, with and without the Download menu open, saved to test/artifacts/
// (gitignored) for people and CI to look at; docs/screenshot.png in the README is desktop-1280x800,
// copied there only when SERIALDECK_UPDATE_SCREENSHOT=1 (so `npm test` leaves the checkout clean).
// Each also checks the layout fits its width, since nobody looks at every screenshot.
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import {
  DESKTOP,
  launchBrowser,
  openPage,
  PHONE,
  poll,
  screenshot,
  sendLine,
  startServer,
  waitForScreen,
  waitForState,
} from '../helpers/browser.js';

let browser: Browser | undefined;
let server: RunningServer | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  await Promise.all([
    launchBrowser().then((b) => (browser = b)),
    startServer({ ports: ['demo', { path: 'demo', name: 'bench demo' }] }).then((s) => (server = s)),
  ]);
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()]);
});

async function openConsole(viewport: { width: number; height: number }): Promise<Page> {
  if (!browser || !server) throw new Error('beforeAll did not start the browser and server');
  const { page, context, errors } = await openPage(browser, server.url, viewport);
  contexts.push(context);
  await waitForState(page, 'open');
  await waitForScreen(page, 'READY');
  expect(errors).toEqual([]);
  return page;
}

/** Where everything a person taps sits, and whether the page scrolls sideways. */
function layout(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    viewportWidth: document.documentElement.clientWidth,
    controls: [...document.querySelectorAll<HTMLElement>('header button, header select, header summary, #line-input, #send')]
      .filter((el) => el.checkVisibility())
      .map((el) => {
        const box = el.getBoundingClientRect();
        return { id: el.id || el.tagName.toLowerCase(), left: Math.round(box.left), right: Math.round(box.right) };
      }),
  }));
}

/** The box of `selector` in CSS px, rounded, or null when it is not shown. */
function boxOf(page: Page, selector: string) {
  return page.locator(selector).evaluate((el) => {
    if (!el.checkVisibility()) return null;
    const box = el.getBoundingClientRect();
    return { left: Math.round(box.left), right: Math.round(box.right), top: Math.round(box.top), bottom: Math.round(box.bottom) };
  });
}

/** Opens the Download menu and checks it, and every link and the format in it, lie inside the viewport. */
async function openDownloadMenu(page: Page, viewport: { width: number; height: number }): Promise<void> {
  await page.getByRole('button', { name: 'Download' }).click();
  await poll(() => page.locator('#download-menu').isVisible()).toBe(true);
  for (const selector of ['#download-menu', '#download-format', '#download-last-minute', '#download-everything']) {
    const box = await boxOf(page, selector);
    expect(box, selector).not.toBeNull();
    expect(box?.left, selector).toBeGreaterThanOrEqual(0);
    expect(box?.right, selector).toBeLessThanOrEqual(viewport.width);
    expect(box?.bottom, selector).toBeLessThanOrEqual(viewport.height);
  }
  const { scrollWidth, viewportWidth } = await layout(page);
  expect(scrollWidth).toBeLessThanOrEqual(viewportWidth);
  expect(await cutOffSelects(page, '#download-menu select')).toEqual([]);
}

/**
 * Visible selects under `selector` whose chosen option's label is wider than the room the select gives it
 * (its width less its padding, which holds the chevron): the label is cut off on screen.
 */
function cutOffSelects(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const measure = document.createElement('canvas').getContext('2d');
    if (!measure) throw new Error('no 2d canvas');
    return [...document.querySelectorAll<HTMLSelectElement>(sel)]
      .filter((select) => select.checkVisibility())
      .flatMap((select) => {
        const style = getComputedStyle(select);
        measure.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const label = select.selectedOptions[0]?.textContent ?? '';
        const needs = Math.ceil(measure.measureText(label).width);
        const room = Math.floor(select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight));
        return needs > room ? [`#${select.id}: "${label}" needs ${needs} px, has ${room} px`] : [];
      });
  }, selector);
}

/** The port picker is shown whole, enabled (two ports), with the shown port's name (its state is in the pill). */
async function checkPicker(page: Page, width: number): Promise<void> {
  await poll(() => page.locator('#port option').count()).toBe(2);
  expect(await page.locator('#port').isEnabled()).toBe(true);
  expect(await page.locator('#port option:checked').textContent()).toBe('demo');
  const box = await boxOf(page, '#port');
  expect(box?.left).toBeGreaterThanOrEqual(0);
  expect(box?.right).toBeLessThanOrEqual(width);
  expect(await boxOf(page, '#port-dot')).not.toBeNull();
  expect(await cutOffSelects(page, 'header select')).toEqual([]);
}

describe('screenshots', () => {
  it('desktop 1280×800: a session with commands, colours and telemetry', async () => {
    const page = await openConsole(DESKTOP);
    await sendLine(page, 'help');
    await waitForScreen(page, /^\s+read\s+one reading now$/m);
    await sendLine(page, 'led on');
    await waitForScreen(page, /^LED on$/m);
    // A few quick readings fill the screen the way a running board does.
    await sendLine(page, 'interval 250');
    await waitForScreen(page, /^interval 250 ms\n(\{".*\}\n){6}/m);
    await sendLine(page, 'interval 50');
    await waitForScreen(page, /^error: interval wants/m);
    await sendLine(page, 'status');
    await waitForScreen(page, /^uptime [\d.]+ s, interval 250 ms, led on/m);

    const { scrollWidth, viewportWidth, controls } = await layout(page);
    expect(scrollWidth).toBeLessThanOrEqual(viewportWidth);
    expect(controls.map((c) => c.id)).toEqual(expect.arrayContaining(['port', 'download-toggle']));
    expect(controls.filter((c) => c.right > DESKTOP.width || c.left < 0)).toEqual([]);
    await checkPicker(page, DESKTOP.width);
    // One toolbar row on a desktop: a second row costs the console three lines for nothing.
    expect((await boxOf(page, 'header.bar'))?.bottom).toBeLessThanOrEqual(52);
    const desktop = await screenshot(page, 'desktop-1280x800');
    if (process.env.SERIALDECK_UPDATE_SCREENSHOT === '1') copyFileSync(desktop, fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url)));

    await openDownloadMenu(page, DESKTOP);
    await screenshot(page, 'desktop-1280x800-download-menu');
  });

  it('phone 390×844: the toolbar and input fit the width, nothing scrolls sideways', async () => {
    const page = await openConsole(PHONE);
    await sendLine(page, 'status');
    await waitForScreen(page, /^uptime [\d.]+ s, interval/m);

    const { scrollWidth, viewportWidth, controls } = await layout(page);
    expect(scrollWidth).toBeLessThanOrEqual(viewportWidth);
    expect(controls.map((c) => c.id)).toEqual(
      expect.arrayContaining(['port', 'baud', 'mode', 'line-ending', 'clear', 'download-toggle', 'line-input']),
    );
    expect(controls.filter((c) => c.right > PHONE.width || c.left < 0)).toEqual([]);
    await checkPicker(page, PHONE.width);
    await screenshot(page, 'phone-390x844');

    await openDownloadMenu(page, PHONE);
    await screenshot(page, 'phone-390x844-download-menu');
  });
});
