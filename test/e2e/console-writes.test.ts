// Writes inline in Chromium: with Settings > Show writes inline on, every page watching a port — a
// viewer's too — shows each write in magenta as `alice> …` after the output it followed, whoever sent
// it (the page's own line input, another person's HTTP write); the device's bytes stay exact (the
// capture and the page's stream hold no annotation); the choice survives a reload, which shows the
// earlier writes again in the replay; off, nothing is drawn.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import { readScreen, sendLine, waitForScreen, waitForState } from '../helpers/browser.js';
import { tokenEntries, useBrowser } from '../helpers/browser-suite.js';
import { request } from '../helpers/ports-api.js';

const suite = useBrowser();

const TOKENS = {
  alice: { token: 'alice-e2e-operator-token', role: 'operator' },
  bob: { token: 'bob-e2e-operator-token-01', role: 'operator' },
  vera: { token: 'vera-e2e-viewer-token-001', role: 'viewer' },
} as const;
type Name = keyof typeof TOKENS;

async function serve(): Promise<RunningServer> {
  return suite.serve({
    ports: [{ id: 'demo', path: 'demo' }],
    tokens: tokenEntries(TOKENS),
  });
}

async function openAs(server: RunningServer, name: Name): Promise<Page> {
  const { page } = await suite.open(`${server.url}?token=${TOKENS[name].token}`);
  await waitForState(page, 'open');
  await waitForScreen(page, 'READY');
  return page;
}

/** Sets Settings > This page > Show writes inline, through the page's own checkbox. */
async function showWrites(page: Page, on: boolean): Promise<void> {
  await page.locator('#settings > summary').click();
  await page.locator('#show-writes').setChecked(on);
  await page.locator('#settings > summary').click();
}

describe('writes inline', () => {
  it('shows every write with its author to every page, keeps the bytes exact, and survives a reload', async () => {
    const server = await serve();
    const alice = await openAs(server, 'alice');
    const vera = await openAs(server, 'vera');
    for (const page of [alice, vera]) await showWrites(page, true);

    await sendLine(alice, 'status');
    const bob = await request(server.url, 'api/ports/demo/write', {
      method: 'POST',
      body: 'help\n',
      headers: { Authorization: `Bearer ${TOKENS.bob.token}` },
    });
    expect(bob.status).toBe(200);
    for (const page of [alice, vera]) {
      await waitForScreen(page, /^alice> status$/m);
      await waitForScreen(page, /^bob> help$/m);
    }
    // Alice's line comes before Bob's, each on its own line, in magenta (ANSI colour 5).
    const screen = await readScreen(vera);
    expect(screen.indexOf('alice> status')).toBeLessThan(screen.indexOf('bob> help'));
    const note = vera.locator('#terminal .xterm-rows span', { hasText: 'alice> status' }).first();
    expect(await note.getAttribute('class')).toContain('xterm-fg-5');

    // The device's bytes are untouched: neither the page's stream nor the capture holds an annotation.
    const raw = await request(server.url, 'api/ports/demo/download?format=raw', { headers: { Authorization: `Bearer ${TOKENS.alice.token}` } });
    expect(raw.text()).toContain('help');
    expect(raw.text()).not.toMatch(/alice>|bob>/);

    // The choice is kept, and the reload's replay shows the earlier writes at their places again.
    await alice.reload();
    await waitForState(alice, 'open');
    expect(await alice.locator('#show-writes').isChecked()).toBe(true);
    const again = await waitForScreen(alice, /^bob> help$/m);
    expect(again.indexOf('alice> status')).toBeGreaterThanOrEqual(0);
    expect(again.indexOf('alice> status')).toBeLessThan(again.indexOf('bob> help'));

    // Off: a reload shows the output alone.
    await showWrites(alice, false);
    await alice.reload();
    await waitForState(alice, 'open');
    // The replay has reached the board's echo of Bob's line: any write before it would have been drawn by now.
    await waitForScreen(alice, /^> help$/m);
    expect(await readScreen(alice)).not.toMatch(/alice> status|bob> help/);
  });
});
