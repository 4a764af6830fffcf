// The console as a person uses it, in Debian's Chromium against the built-in demo board: output
// scrolls in, commands get answers, history recalls, colours are colours, the prompt shows, Clear
// clears, and two pages see the same device. Every test opens its own page (own localStorage).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_THEME } from '../../client/console/terminal-theme.js';
import type { RunningServer } from '../../server/start.js';
import {
  DESKTOP,
  focusedId,
  launchBrowser,
  openPage,
  poll,
  readScreen,
  sendLine,
  startServer,
  waitForScreen,
  waitForScreenWithout,
  waitForState,
  WAIT_MS,
  type OpenedPage,
} from '../helpers/browser.js';

let browser: Browser | undefined;
let server: RunningServer | undefined;
const contexts: BrowserContext[] = [];
const pageErrors: Error[][] = [];

beforeAll(async () => {
  await Promise.all([launchBrowser().then((b) => (browser = b)), startServer().then((s) => (server = s))]);
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  // An exception thrown inside the page fails the test that caused it, whatever it asserted.
  expect(pageErrors.splice(0).flat().map(String)).toEqual([]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()]);
});

/** Opens the demo server's page and waits until it is connected and the board's banner is on screen. */
async function openConsole(viewport: { width: number; height: number } = DESKTOP): Promise<OpenedPage> {
  if (!browser || !server) throw new Error('beforeAll did not start the browser and server');
  const opened = await openPage(browser, server.url, viewport);
  contexts.push(opened.context);
  pageErrors.push(opened.errors);
  await waitForState(opened.page, 'open');
  await waitForScreen(opened.page, 'READY');
  return opened;
}

/** Lines of the demo board's telemetry (one JSON object per line) in `text`. */
function jsonLines(text: string): string[] {
  return text.split('\n').filter((line) => /^\{".*\}$/.test(line));
}

/** Text of the rows xterm's DOM renderer currently draws: what is actually on the screen. */
function visibleRows(page: Page): Promise<string[]> {
  return page.locator('#terminal .xterm-rows > div').allTextContents();
}

/** `#rrggbb` as the `rgb(r, g, b)` string getComputedStyle reports. */
function cssRgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 0xff}, ${(n >> 8) & 0xff}, ${n & 0xff})`;
}

describe('the console page against the demo board', () => {
  it('loads, shows the device open, and the board output scrolls in', async () => {
    const { page } = await openConsole();
    await poll(() => page.locator('#status-text').textContent()).toBe('open');
    expect(await page.locator('#device').textContent()).toBe('demo');
    const first = await readScreen(page);
    expect(first).toContain('serialdeck demo board');

    // Telemetry keeps arriving: wait for a JSON line the page did not have a moment ago.
    const before = jsonLines(first).length;
    await page.waitForFunction(
      (n) => (window.serialdeck?.readScreen() ?? '').split('\n').filter((l) => /^\{".*\}$/.test(l)).length > n,
      before,
      { timeout: WAIT_MS, polling: 50 },
    );
    const newest = jsonLines(await readScreen(page)).at(-1) ?? '';
    expect(JSON.parse(newest)).toEqual(expect.objectContaining({ temp: expect.any(Number), humidity: expect.any(Number) }));
    // And it is drawn, not only buffered: the newest reading is on a visible row.
    await page.waitForFunction((line) => document.querySelector('#terminal .xterm-rows')?.textContent?.includes(line), newest, {
      timeout: WAIT_MS,
    });
  });

  it('sends help + Enter in line mode, shows the reply, and ↑ recalls the line (also after a reload)', async () => {
    const { page } = await openConsole();
    const input = page.locator('#line-input');
    await input.pressSequentially('help');
    await input.press('Enter');
    // The board echoes the line after its prompt, then answers with its command list.
    await waitForScreen(page, /^> help\ncommands\n\s+help\s+this list\n\s+status\s/m);
    await poll(() => input.inputValue()).toBe('');

    await input.press('ArrowUp');
    await poll(() => input.inputValue()).toBe('help');
    await input.press('ArrowDown');
    await poll(() => input.inputValue()).toBe('');

    await page.reload();
    await waitForState(page, 'open');
    await page.locator('#line-input').press('ArrowUp');
    await poll(() => page.locator('#line-input').inputValue()).toBe('help');
  });

  it('renders ANSI colours as colours (an error in red)', async () => {
    const { page } = await openConsole();
    await sendLine(page, 'frobnicate');
    const errorText = 'error: unknown command "frobnicate" (type help)';
    await waitForScreen(page, errorText);

    // The DOM renderer draws each run of same-styled cells as a span: find the error's, and the echo's.
    const styles = await page.waitForFunction(
      (text) => {
        const rows = [...document.querySelectorAll('#terminal .xterm-rows > div')];
        const errorRow = rows.find((row) => row.textContent?.includes(text));
        const echoRow = rows.find((row) => row.textContent?.includes('> frobnicate'));
        const errorSpan = [...(errorRow?.querySelectorAll('span') ?? [])].find((s) => s.textContent?.includes('error:'));
        const echoSpan = [...(echoRow?.querySelectorAll('span') ?? [])].find((s) => s.textContent?.includes('frobnicate'));
        if (!errorSpan || !echoSpan) return null;
        return {
          errorClass: errorSpan.className,
          errorColor: getComputedStyle(errorSpan).color,
          plainColor: getComputedStyle(echoSpan).color,
        };
      },
      errorText,
      { timeout: WAIT_MS },
    );
    const { errorClass, errorColor, plainColor } = (await styles.jsonValue()) ?? {};
    expect(errorClass).toContain('xterm-fg-1'); // ANSI colour 1: red
    expect(errorColor).toBe(cssRgb(CONSOLE_THEME.red ?? ''));
    expect(plainColor).toBe(cssRgb(CONSOLE_THEME.foreground ?? ''));
  });

  it('shows a prompt that has no newline', async () => {
    const { page } = await openConsole();
    await sendLine(page, 'echo prompt-check');
    const text = await waitForScreen(page, /^prompt-check\n/m);
    // The reply is followed by the board's "> " and nothing else: the prompt arrived without a newline.
    expect(text.split('\n').at(-1)).toBe('> ');
    // On screen, the last drawn row with anything on it is the bare prompt, not the reply.
    await poll(async () => (await visibleRows(page)).filter((row) => row.trim() !== '').at(-1)).toMatch(/^> \s*$/);
  });

  it('Clear empties the view and leaves focus where typing goes', async () => {
    const { page } = await openConsole();
    expect(await visibleRows(page)).toEqual(expect.arrayContaining([expect.stringMatching(/^\{"|^> /)]));
    await page.locator('#clear').click();
    const text = await waitForScreenWithout(page, 'READY');
    // What is left is the prompt line, plus at most a reading or two that arrived since.
    expect(text.split('\n').length).toBeLessThanOrEqual(3);
    expect(text).not.toContain('serialdeck demo board');
    const rows = (await visibleRows(page)).map((row) => row.trim()).filter((row) => row !== '');
    expect(rows.length).toBeLessThanOrEqual(3);
    await poll(() => focusedId(page)).toBe('line-input');
  });

  it('shows two pages the same output, and what one types the other sees', async () => {
    const a = (await openConsole()).page;
    const b = (await openConsole()).page;
    await Promise.all([a, b].map((page) => poll(() => page.locator('#clients [data-label]').textContent()).toBe('2 pages connected')));

    await sendLine(a, 'echo typed-on-page-a');
    const [textA, textB] = await Promise.all([a, b].map((page) => waitForScreen(page, /^typed-on-page-a$/m)));
    // Both pages replayed the same stream from the start: identical up to and including the reply.
    const upToReply = (text: string) => text.slice(0, text.search(/^typed-on-page-a$/m));
    expect(upToReply(textB ?? '')).toBe(upToReply(textA ?? ''));
    expect(textB).toMatch(/^> echo typed-on-page-a$/m); // B sees what A typed, echoed by the board

    await sendLine(b, 'echo typed-on-page-b');
    await waitForScreen(a, /^> echo typed-on-page-b\ntyped-on-page-b$/m);
  });
});
