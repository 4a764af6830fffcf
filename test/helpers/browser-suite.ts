// The Chromium lifecycle every page test shares: one browser per test file; the servers, ptys and page
// contexts a test opens are closed after it. Call useBrowser() once at the top of a test file.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { hashToken } from '../../server/access/credentials.js';
import type { ConfigInput } from '../../server/config.js';
import type { Role } from '../../server/wire/roles.js';
import { launchBrowser, openPage, startServer, type OpenedPage } from './browser.js';
import { createPtyPair, type PtyPair } from './pty-pair.js';
import type { TestServer } from './test-server.js';

/** What a test file gets from useBrowser(). */
export interface BrowserSuite {
  /** The file's browser (after beforeAll). */
  readonly browser: Browser;
  /** Starts the built server on `config` (port 0, a temporary data directory), closed after the test. */
  serve(config?: ConfigInput): Promise<TestServer>;
  /** Opens `url` in a fresh context (own cookies and storage), closed after the test. */
  open(url: string, viewport?: { width: number; height: number }): Promise<OpenedPage>;
  /** A socat pty pair, closed after the test once its servers (which hold the device end) are. */
  pty(): Promise<PtyPair>;
  /** Runs `close` after the test, once its contexts, servers and ptys are closed (last in, first out). */
  defer(close: () => Promise<unknown>): void;
}

/** Options of useBrowser(). */
export interface BrowserSuiteOptions {
  /** Fail each test, after closing what it opened, when a page it opened threw an uncaught exception. Default false. */
  failOnPageErrors?: boolean;
}

/** Registers the hooks and returns the suite. */
export function useBrowser(options: BrowserSuiteOptions = {}): BrowserSuite {
  let browser: Browser | undefined;
  const servers: TestServer[] = [];
  const contexts: BrowserContext[] = [];
  const pairs: PtyPair[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  const pageErrors: Error[][] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(pairs.splice(0).map((p) => p.close()));
    while (closers.length) await closers.pop()!();
    const thrown = pageErrors.splice(0).flat();
    if (options.failOnPageErrors) expect(thrown.map(String)).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
  });
  const suite: BrowserSuite = {
    get browser() {
      if (!browser) throw new Error('beforeAll did not launch the browser');
      return browser;
    },
    async serve(config = {}) {
      const server = await startServer(config);
      servers.push(server);
      return server;
    },
    async open(url, viewport) {
      const opened = await openPage(suite.browser, url, viewport);
      contexts.push(opened.context);
      pageErrors.push(opened.errors);
      return opened;
    },
    async pty() {
      const pair = await createPtyPair();
      pairs.push(pair);
      return pair;
    },
    defer(close) {
      closers.push(close);
    },
  };
  return suite;
}

/** Named test tokens (name → token and role) as the config's `tokens` entries. */
export function tokenEntries(tokens: Readonly<Record<string, { token: string; role: Role }>>): ConfigInput['tokens'] {
  return Object.entries(tokens).map(([name, { token, role }]) => ({ name, hash: hashToken(token), role }));
}
