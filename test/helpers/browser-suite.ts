// The Chromium lifecycle every page test shares: one browser per test file; the servers and page
// contexts a test opens are closed after it. Call useBrowser() once at the top of a test file.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { hashToken } from '../../server/access/credentials.js';
import type { ConfigInput } from '../../server/config.js';
import type { Role } from '../../server/wire/roles.js';
import { launchBrowser, openPage, startServer, type OpenedPage } from './browser.js';
import type { TestServer } from './test-server.js';

/** What a test file gets from useBrowser(). */
export interface BrowserSuite {
  /** The file's browser (after beforeAll). */
  readonly browser: Browser;
  /** Starts the built server on `config` (port 0, a temporary data directory), closed after the test. */
  serve(config?: ConfigInput): Promise<TestServer>;
  /** Opens `url` in a fresh context (own cookies and storage), closed after the test. */
  open(url: string, viewport?: { width: number; height: number }): Promise<OpenedPage>;
}

/** Registers the hooks and returns the suite. */
export function useBrowser(): BrowserSuite {
  let browser: Browser | undefined;
  const servers: TestServer[] = [];
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
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
      return opened;
    },
  };
  return suite;
}

/** Named test tokens (name → token and role) as the config's `tokens` entries. */
export function tokenEntries(tokens: Readonly<Record<string, { token: string; role: Role }>>): ConfigInput['tokens'] {
  return Object.entries(tokens).map(([name, { token, role }]) => ({ name, hash: hashToken(token), role }));
}
