// Drives the real page in Debian's Chromium for the end-to-end tests: launch and teardown, one
// isolated page per call, waits on what the console shows (never sleeps), and screenshots.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { expect } from 'vitest';
import type { ConfigInput } from '../../server/config.js';
import { launchChromium } from './chromium.js';
import { PageSockets } from './page-sockets.js';
import { startTestServer, type TestServer } from './test-server.js';


/** Default wait for something to appear on the page, in ms: generous for a loaded 2-core CI machine. */
export const WAIT_MS = 10_000;

/** Desktop viewport for tests and the README screenshot, in CSS px. */
export const DESKTOP = { width: 1280, height: 800 } as const;
/** Phone-width viewport (an iPhone 12-class screen), in CSS px. */
export const PHONE = { width: 390, height: 844 } as const;

/** Where screenshots go: test/artifacts/ (gitignored; CI keeps it out of git). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** The built server entry: the JavaScript `npx serialdeck` runs, beside the dist/client it serves. */
const BUILT_START = new URL('../../dist/server/start.js', import.meta.url);

/**
 * Starts serialdeck from the build (`npm run build`; `npm test` runs it first), so the page under test is
 * the built client the built server serves, as a user gets it. listenPort 0 and a temporary data directory unless given.
 */
export async function startServer(config: ConfigInput = {}): Promise<TestServer> {
  if (!existsSync(BUILT_START)) throw new Error('dist/server/start.js is missing: run `npm run build` first (npm test does)');
  const { start } = (await import(BUILT_START.href)) as typeof import('../../server/start.js');
  return startTestServer(config, { startImpl: start });
}

/** Launches headless Chromium with its own throwaway profile. One per test file (beforeAll/afterAll). */
export function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

/** One page in its own context (own cookies and localStorage, so history and preferences start empty). */
export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions thrown in the page so far (tests assert there are none). */
  errors: Error[];
  /** The main document's response (after redirects). */
  response: Response | null;
  /** Every WebSocket the page opened and what the server sent on it, byte for byte. */
  sockets: PageSockets;
}

/** What went wrong in each page (console errors, failed requests, exceptions), quoted when a wait times out. */
const troubles = new WeakMap<Page, string[]>();

/** Opens `url` in a fresh context at `viewport` (desktop by default) and waits for the page's load event. */
export async function openPage(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<OpenedPage> {
  // Dark, as most people at a bench run it: headless Chromium reports light, and the page follows the system.
  const context = await browser.newContext({ viewport, colorScheme: 'dark' });
  const page = await context.newPage();
  const errors: Error[] = [];
  const log: string[] = [];
  const sockets = new PageSockets(page);
  troubles.set(page, log);
  page.on('pageerror', (error) => {
    errors.push(error);
    log.push(`exception: ${error.message}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') log.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('requestfailed', (request) => log.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) log.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  try {
    const response = await page.goto(url);
    return { page, context, errors, response, sockets };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** The page's troubles so far, as lines to append to an error message ('' when none). */
function troublesOf(page: Page): string {
  const log = troubles.get(page) ?? [];
  return log.length === 0 ? '' : `\npage troubles:\n  ${log.slice(-10).join('\n  ')}`;
}

/** Everything the console holds (scrollback and screen), as `window.serialdeck.readScreen()` reports it. */
export function readScreen(page: Page): Promise<string> {
  return page.evaluate(() => {
    if (!window.serialdeck) throw new Error('window.serialdeck is missing: the app did not start');
    return window.serialdeck.readScreen();
  });
}

/** The status pill's state name (`open`, `reconnecting`, `not-authorized`, …). */
export function statusState(page: Page): Promise<string> {
  return page.evaluate(() => window.serialdeck?.state() ?? '(no window.serialdeck: the app did not start)');
}

/**
 * Waits until the console's text matches `pattern` (a substring or a RegExp) and returns that text.
 * On timeout the error shows what the console did hold, so a failure explains itself.
 */
export async function waitForScreen(page: Page, pattern: string | RegExp, timeoutMs = WAIT_MS): Promise<string> {
  const wanted = typeof pattern === 'string' ? { text: pattern } : { source: pattern.source, flags: pattern.flags };
  try {
    await page.waitForFunction(
      (w) => {
        const text = window.serialdeck?.readScreen() ?? '';
        return w.text !== undefined ? text.includes(w.text) : new RegExp(w.source, w.flags).test(text);
      },
      wanted,
      { timeout: timeoutMs, polling: 50 },
    );
  } catch (error) {
    const shown = await readScreen(page).catch(() => '(page gone)');
    throw new Error(`console never showed ${String(pattern)} within ${timeoutMs} ms; it shows:\n${shown}${troublesOf(page)}`, {
      cause: error,
    });
  }
  return readScreen(page);
}

/** Waits until the console no longer contains `text` (after Clear, for instance) and returns what it shows. */
export async function waitForScreenWithout(page: Page, text: string, timeoutMs = WAIT_MS): Promise<string> {
  try {
    await page.waitForFunction((t) => !(window.serialdeck?.readScreen() ?? t).includes(t), text, {
      timeout: timeoutMs,
      polling: 50,
    });
  } catch (error) {
    const shown = await readScreen(page).catch(() => '(page gone)');
    throw new Error(`console still shows ${JSON.stringify(text)} after ${timeoutMs} ms:\n${shown}${troublesOf(page)}`, {
      cause: error,
    });
  }
  return readScreen(page);
}

/** Waits until the status pill is in `state` (see client/status.ts PillState). */
export async function waitForState(page: Page, state: string, timeoutMs = WAIT_MS): Promise<void> {
  try {
    await page.waitForFunction((s) => window.serialdeck?.state() === s, state, { timeout: timeoutMs, polling: 50 });
  } catch (error) {
    const now = await statusState(page).catch(() => '(no debug handle)');
    throw new Error(`status never became ${state} within ${timeoutMs} ms; it is ${now}${troublesOf(page)}`, {
      cause: error,
    });
  }
}

/**
 * Polls `read` (a locator's text, an input's value, the focused element…) until the assertion chained on
 * the result passes or WAIT_MS runs out: `await poll(() => input.inputValue()).toBe('help')`.
 */
export function poll<T>(read: () => Promise<T> | T, timeoutMs = WAIT_MS) {
  return expect.poll(read, { timeout: timeoutMs, interval: 50 });
}

/** The id of the element that has keyboard focus ('' for an element without one, null for none). */
export function focusedId(page: Page): Promise<string | null> {
  return page.evaluate(() => (document.activeElement && document.activeElement !== document.body ? document.activeElement.id : null));
}

/** Types `line` into line mode's input box and presses Enter, as a person would. */
export async function sendLine(page: Page, line: string): Promise<void> {
  const input = page.locator('#line-input');
  await input.fill(line);
  await input.press('Enter');
}

/** A page whose scripts are held by the debugger (see stallScripts). */
export interface StalledPage {
  /** True once a script of the page actually stopped (the pause takes effect when the page next runs script). */
  paused(): boolean;
  /** Lets the page's scripts run again; everything that queued up meanwhile runs then. */
  resume(): Promise<void>;
}

/**
 * Stops the page's JavaScript at the next statement it runs (CDP Debugger.pause), as a tab that cannot keep
 * up would be: it renders and acks nothing until resume(). The browser still receives on its sockets.
 */
export async function stallScripts(page: Page): Promise<StalledPage> {
  const cdp = await page.context().newCDPSession(page);
  let paused = false;
  cdp.on('Debugger.paused', () => (paused = true));
  await cdp.send('Debugger.enable');
  await cdp.send('Debugger.pause');
  return {
    paused: () => paused,
    async resume() {
      if (paused) await cdp.send('Debugger.resume');
      await cdp.send('Debugger.disable'); // also drops a pause not taken yet
      await cdp.detach();
    },
  };
}

/** Saves a full-page screenshot as test/artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = `${ARTIFACTS_DIR}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
