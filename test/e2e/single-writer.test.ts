// One writer at a time, in Chromium with several pages on a single-writer port (each page its own
// browser context, signed in with its own named token): the who-list shows everyone; the first to
// type takes the free keyboard and the other page's input is off with the reason; the other asks,
// the holder sees it and hands over; an admin takes it by force; every page sees each handover in
// its console. Role-aware controls: an operator's baud is disabled with the reason, an admin's is not.
// Pages without a token are asked their name once someone else is here, and keep it.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import { poll, sendLine, waitForScreen, waitForState } from '../helpers/browser.js';
import { tokenEntries, useBrowser } from '../helpers/browser-suite.js';

const suite = useBrowser();

const TOKENS = {
  otto: { token: 'otto-e2e-operator-token', role: 'operator' },
  olga: { token: 'olga-e2e-operator-token', role: 'operator' },
  ada: { token: 'ada-e2e-admin-token-0001', role: 'admin' },
} as const;
type Name = keyof typeof TOKENS;

async function serve(): Promise<RunningServer> {
  return suite.serve({
    ports: [{ id: 'demo', path: 'demo', writers: 'single' }],
    tokens: tokenEntries(TOKENS),
  });
}

/** Opens the console as `name` (the URL's token is traded for a cookie in that page's own context) and waits for the board. */
async function openAs(server: RunningServer, name: Name): Promise<Page> {
  const { page } = await suite.open(`${server.url}?token=${TOKENS[name].token}`);
  await waitForState(page, 'open');
  await waitForScreen(page, 'READY');
  await poll(() => page.evaluate(() => window.serialdeck?.name())).toBe(name);
  return page;
}

const keyboardText = (page: Page) => page.locator('#keyboard-text').textContent();
const holder = (page: Page) => page.evaluate(() => window.serialdeck?.keyboardHolder() ?? '');

/** The who-list's rows as the page shows them, after opening it from the toolbar (and closing it again). */
async function whoRows(page: Page): Promise<string[]> {
  await page.locator('#clients').click();
  await poll(() => page.locator('#who-menu').isVisible()).toBe(true);
  const rows = await page.locator('#who-list li').allTextContents();
  await page.keyboard.press('Escape');
  await poll(() => page.locator('#who-menu').isVisible()).toBe(false);
  return rows;
}

describe('single-writer port in two pages', () => {
  it('asks, hands over, force-takes, refuses the other writer, and lists who is here', async () => {
    const server = await serve();
    const otto = await openAs(server, 'otto');
    const olga = await openAs(server, 'olga');

    // Both see the keyboard free, and both in the who-list.
    for (const page of [otto, olga]) await poll(() => keyboardText(page)).toBe('Nobody holds the keyboard: type or take it');
    await poll(async () => (await whoRows(otto)).length).toBe(2);
    const rows = await whoRows(otto);
    expect(rows[0]).toMatch(/^otto \(you\)operatorsince \d\d:\d\d$/);
    expect(rows[1]).toMatch(/^olgaoperatorsince \d\d:\d\d$/);

    // Otto types first and so takes the keyboard; olga's page says so and turns her input off with the reason.
    await sendLine(otto, 'echo from-otto');
    await waitForScreen(olga, 'from-otto');
    await poll(() => holder(olga)).toBe('otto');
    await waitForScreen(olga, 'otto took the keyboard');
    await poll(() => keyboardText(otto)).toBe('You hold the keyboard');
    await poll(() => keyboardText(olga)).toBe('otto holds the keyboard');
    await poll(() => olga.locator('#line-input').isDisabled()).toBe(true);
    expect(await olga.locator('#line-input').getAttribute('placeholder')).toBe('otto holds the keyboard: ask for it to type');
    // Typing into the console in raw mode is refused too, nothing reaches the board.
    await olga.selectOption('#mode', 'raw');
    await olga.locator('#terminal').click();
    await olga.keyboard.type('zz-olga-raw');
    await olga.selectOption('#mode', 'line');
    // Olga asks; otto sees the request and hands over.
    await olga.locator('#keyboard-ask').click();
    await poll(() => keyboardText(otto)).toBe('You hold the keyboard · olga asked for it');
    await waitForScreen(otto, 'olga asked otto for the keyboard');
    await poll(() => keyboardText(olga)).toBe('otto holds the keyboard · you asked for it');
    await otto.locator('#keyboard-grant').selectOption({ label: 'olga (asked)' });
    await poll(() => keyboardText(olga)).toBe('You hold the keyboard');
    await waitForScreen(otto, 'otto handed the keyboard to olga');
    await poll(() => otto.locator('#line-input').isDisabled()).toBe(true);
    await poll(() => olga.locator('#line-input').isDisabled()).toBe(false);
    await sendLine(olga, 'echo from-olga');
    await waitForScreen(otto, 'from-olga');

    // An admin comes, sees both in the who-list, and takes the keyboard outright.
    const ada = await openAs(server, 'ada');
    await poll(() => keyboardText(ada)).toBe('olga holds the keyboard');
    await poll(() => ada.locator('#keyboard-take').isVisible()).toBe(true);
    expect(await otto.locator('#keyboard-take').isVisible()).toBe(false); // operators cannot force
    await ada.locator('#keyboard-take').click();
    for (const page of [otto, olga, ada]) await waitForScreen(page, 'ada took the keyboard from olga (admin)');
    await poll(() => olga.locator('#line-input').getAttribute('placeholder')).toBe('ada holds the keyboard: ask for it to type');
    const adaRows = await whoRows(ada);
    expect(adaRows).toHaveLength(3);
    expect(adaRows[0]).toMatch(/^ada \(you\)adminsince \d\d:\d\d.*holds the keyboard$/);
    expect(adaRows.slice(1).map((r) => r.replace(/since.*/, ''))).toEqual(['ottooperator', 'olgaoperator']);
    await sendLine(ada, 'echo from-ada');
    await waitForScreen(olga, 'from-ada');
    // Nothing olga typed in raw mode while otto held the keyboard ever reached the board.
    expect(await olga.evaluate(() => window.serialdeck?.readScreen() ?? '')).not.toContain('zz-olga-raw');

    // Role-aware controls: the operators' baud and reset are off and say why; the admin's work.
    expect(await otto.locator('#baud').isDisabled()).toBe(true);
    expect(await otto.locator('#baud').getAttribute('title')).toBe('Needs the admin role; you are operator on this port');
    expect(await otto.locator('#reset').getAttribute('title')).toBe('Needs the admin role; you are operator on this port');
    expect(await ada.locator('#baud').isDisabled()).toBe(false);

    // The admin leaves with nobody waiting: the keyboard is free again, for anyone to take by typing.
    await ada.close();
    for (const page of [otto, olga]) await waitForScreen(page, 'ada left; nobody holds the keyboard');
    await poll(() => olga.locator('#line-input').isDisabled()).toBe(false);
  });
});

describe('names of pages without a token', () => {
  it('asks once someone else is here, keeps the answer across reloads, and shows it to the others', async () => {
    const server = await suite.serve({});
    const first = await suite.open(server.url);
    await waitForState(first.page, 'open');
    // Alone on the port: nobody to tell apart, no question.
    await poll(() => first.page.evaluate(() => window.serialdeck?.name())).toBe('anonymous');
    expect(await first.page.locator('#name-ask').isVisible()).toBe(false);

    const second = await suite.open(server.url);
    await waitForState(second.page, 'open');
    await poll(() => first.page.locator('#name-ask').isVisible()).toBe(true);
    await first.page.locator('#name-ask-input').fill('Bob <the builder>');
    await first.page.locator('#name-ask-input').press('Enter');
    await poll(() => first.page.evaluate(() => window.serialdeck?.name())).toBe('Bob the builder (anonymous)');
    expect(await first.page.locator('#name-ask').isVisible()).toBe(false);
    await poll(async () => (await whoRows(second.page)).map((r) => r.replace(/admin.*/, ''))).toEqual(['anonymous (you)', 'Bob the builder (anonymous)']);

    // The name is remembered; the question is not asked again; the list can change it.
    await first.page.reload();
    await waitForState(first.page, 'open');
    await poll(() => first.page.evaluate(() => window.serialdeck?.name())).toBe('Bob the builder (anonymous)');
    expect(await first.page.locator('#name-ask').isVisible()).toBe(false);
    await first.page.locator('#clients').click();
    await first.page.locator('#who-name').fill('Robert');
    await first.page.locator('#who-name').press('Enter');
    await poll(() => first.page.evaluate(() => window.serialdeck?.name())).toBe('Robert (anonymous)');
  });
});
