// Screenshots of the page on a fresh demo board, at desktop and phone width, saved to test/artifacts/
// (gitignored) for people and CI to look at; docs/screenshot.png in the README is one of these, copied
// by hand. Each also checks the layout fits its width, since nobody looks at every screenshot.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import {
  DESKTOP,
  launchBrowser,
  openPage,
  PHONE,
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
  await Promise.all([launchBrowser().then((b) => (browser = b)), startServer().then((s) => (server = s))]);
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
      .map((el) => ({ id: el.id || el.tagName.toLowerCase(), right: Math.round(el.getBoundingClientRect().right) })),
  }));
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
    expect(controls.filter((c) => c.right > DESKTOP.width)).toEqual([]);
    await screenshot(page, 'desktop-1280x800');
  });

  it('phone 390×844: the toolbar and input fit the width, nothing scrolls sideways', async () => {
    const page = await openConsole(PHONE);
    await sendLine(page, 'status');
    await waitForScreen(page, /^uptime [\d.]+ s, interval/m);

    const { scrollWidth, viewportWidth, controls } = await layout(page);
    expect(scrollWidth).toBeLessThanOrEqual(viewportWidth);
    expect(controls.map((c) => c.id)).toEqual(expect.arrayContaining(['baud', 'mode', 'line-ending', 'clear', 'line-input']));
    expect(controls.filter((c) => c.right > PHONE.width)).toEqual([]);
    await screenshot(page, 'phone-390x844');
  });
});
