// The page keeps its console across connection trouble: when the server restarts it shows that it is
// reconnecting, comes back by itself, marks the new stream and shows its replayed output; the Reconnect
// button resumes exactly where the page left off, without repeating a byte.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STREAM_RESTARTED_MESSAGE } from '../../client/console/notices.js';
import type { RunningServer } from '../../server/start.js';
import {
  launchBrowser,
  openPage,
  poll,
  readScreen,
  sendLine,
  startServer,
  waitForScreen,
  waitForState,
  WAIT_MS,
} from '../helpers/browser.js';

let browser: Browser | undefined;
const servers: RunningServer[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close())); // close() is safe to call twice
});

afterAll(async () => {
  await browser?.close();
});

async function serve(port = 0): Promise<RunningServer> {
  const server = await startServer({ listenPort: port });
  servers.push(server);
  return server;
}

async function openConsole(url: string): Promise<Page> {
  if (!browser) throw new Error('beforeAll did not launch the browser');
  const { page, context } = await openPage(browser, url);
  contexts.push(context);
  await waitForState(page, 'open');
  await waitForScreen(page, 'READY');
  return page;
}

/** How many times `needle` occurs in `text`. */
function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('reconnecting', () => {
  it('reconnects by itself after a server restart, with the status shown, and shows the new stream', async () => {
    const first = await serve();
    const page = await openConsole(first.url);
    // Enough output that the page's offset is well past anything the new server says before the page is back.
    for (const n of [1, 2, 3, 4]) {
      await sendLine(page, `echo before-restart-${n} ${'-'.repeat(200)}`);
      await waitForScreen(page, new RegExp(`^before-restart-${n} -+$`, 'm'));
    }

    await first.close();
    await waitForState(page, 'reconnecting');
    await poll(() => page.locator('#status-text').textContent()).toMatch(/^reconnecting/);
    expect(await page.locator('#line-input').isDisabled()).toBe(false); // the draft stays editable meanwhile

    const port = Number(new URL(first.url).port);
    await serve(port);
    await waitForState(page, 'open'); // no click: the page came back on its own
    await poll(() => page.locator('#status-text').textContent()).toBe('open');

    // The page says the stream is new, then shows the new board's replayed banner below the old session.
    const notice = `[serialdeck: ${STREAM_RESTARTED_MESSAGE}]`;
    await page.waitForFunction(
      (n) => {
        const text = window.serialdeck?.readScreen() ?? '';
        return text.includes(n) && text.lastIndexOf('READY') > text.indexOf(n);
      },
      notice,
      { timeout: WAIT_MS, polling: 50 },
    );
    const text = await readScreen(page);
    expect(text.indexOf('before-restart-4')).toBeLessThan(text.indexOf(notice));
    expect(count(text, 'READY')).toBe(2);

    // And it works: what is typed now reaches the new board.
    await sendLine(page, 'echo after-restart');
    await waitForScreen(page, /^after-restart$/m);
  });

  it('the Reconnect button resumes where the page left off, repeating nothing', async () => {
    const server = await serve();
    const page = await openConsole(server.url);
    await sendLine(page, 'echo once-only');
    await waitForScreen(page, /^once-only$/m);
    const offset = await page.evaluate(() => window.serialdeck?.offset() ?? -1);

    // Record every state the pill passes through, so a quick drop-and-reopen cannot slip between polls.
    await page.evaluate(() => {
      const pill = document.getElementById('status');
      const seen: string[] = [];
      Object.assign(window, { seenStates: seen });
      if (pill) new MutationObserver(() => seen.push(pill.dataset.state ?? '')).observe(pill, { attributes: true });
    });
    await page.locator('#reconnect').click();
    await page.waitForFunction(
      () => {
        const seen = (window as unknown as { seenStates: string[] }).seenStates;
        return seen.some((s) => s !== 'open') && window.serialdeck?.state() === 'open';
      },
      undefined,
      { timeout: WAIT_MS, polling: 50 },
    );
    await sendLine(page, 'echo after-reconnect');
    const text = await waitForScreen(page, /^after-reconnect$/m);
    expect(await page.evaluate(() => window.serialdeck?.offset() ?? -1)).toBeGreaterThan(offset);
    expect(count(text, 'once-only')).toBe(2); // the echoed command and the reply, not replayed again
    expect(count(text, 'READY')).toBe(1);
    expect(text).not.toContain(STREAM_RESTARTED_MESSAGE);
  });
});
