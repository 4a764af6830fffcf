// Who may do what, as the page shows it: the keyboard reaches and works every toolbar control, controls
// carry accessible names (read from Chromium's own accessibility tree), focus starts where typing goes;
// a read-only server shows that typing is off and sends nothing; a token server turns away a page
// without the token and lets in the URL it printed.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../server/config.js';
import type { RunningServer } from '../../server/start.js';
import {
  focusedId,
  poll,
  readScreen,
  waitForScreen,
  waitForScreenWithout,
  waitForState,
  WAIT_MS,
  type OpenedPage,
} from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';

const suite = useBrowser();
const serve = (config: ConfigInput = {}): Promise<RunningServer> => suite.serve(config);
const open = (url: string): Promise<OpenedPage> => suite.open(url);

async function openConsole(url: string): Promise<Page> {
  const { page } = await open(url);
  await waitForState(page, 'open');
  await waitForScreen(page, 'READY');
  return page;
}

/** A short description of the focused element: its id, or xterm's input, or its tag. */
function focusedControl(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    if (el.classList.contains('xterm-helper-textarea')) return 'terminal';
    return el.id || el.tagName.toLowerCase();
  });
}

/** JSON lines of telemetry on screen. */
function readingCount(text: string): number {
  return text.split('\n').filter((line) => /^\{".*\}$/.test(line)).length;
}

describe('keyboard and screen-reader access', () => {
  it('puts focus where typing goes: the line input in line mode, the console in raw mode', async () => {
    const server = await serve();
    const page = await openConsole(server.url);
    await poll(() => focusedId(page)).toBe('line-input');
    // Typing right away goes into the input, no click needed.
    await page.keyboard.type('hel');
    await poll(() => page.locator('#line-input').inputValue()).toBe('hel');

    await page.selectOption('#mode', 'raw');
    await poll(() => focusedControl(page)).toBe('terminal');
    await page.reload(); // the mode is remembered, and focus lands in the console again
    await waitForState(page, 'open');
    await poll(() => focusedControl(page)).toBe('terminal');
  });

  it('reaches every toolbar control with Tab, in order, and operates them from the keyboard', async () => {
    // Two ports, so the port picker is enabled (with one there is nothing to pick, and it is skipped).
    const server = await serve({ ports: ['demo', { path: 'demo', name: 'second demo' }] });
    const page = await openConsole(server.url);
    // Start where a person would: click the page's heading (not focusable), then Tab from there.
    await page.locator('h1').click();
    expect(await focusedControl(page)).toBe('body');

    const visited: string[] = [];
    for (let i = 0; i < 30 && !visited.includes('send'); i++) {
      await page.keyboard.press('Tab');
      visited.push(await focusedControl(page));
    }
    const expected = [
      'port',
      'baud',
      'mode',
      'line-ending',
      'search-open',
      'clear',
      'reconnect',
      'reset',
      'download-toggle',
      'summary',
      'line-input',
      'send',
    ];
    expect(visited.filter((id) => expected.includes(id))).toEqual(expected);

    // Shift+Tab walks back to Clear; Enter on it clears the console.
    while ((await focusedControl(page)) !== 'clear' && visited.length < 60) {
      await page.keyboard.press('Shift+Tab');
      visited.push(await focusedControl(page));
    }
    expect(await focusedControl(page)).toBe('clear');
    await page.keyboard.press('Enter');
    await waitForScreenWithout(page, 'READY');

    // The Download menu opens from the keyboard, its links are next in Tab order, and Escape closes it onto its button.
    await page.locator('#download-toggle').focus();
    await page.keyboard.press('Enter');
    await poll(() => page.locator('#download-menu').isVisible()).toBe(true);
    expect(await page.locator('#download-toggle').getAttribute('aria-expanded')).toBe('true');
    const inMenu: string[] = [];
    for (let i = 0; i < 8 && !inMenu.includes('download-everything'); i++) {
      await page.keyboard.press('Tab');
      inMenu.push(await focusedControl(page));
    }
    expect(inMenu).toEqual([
      'download-format',
      'download-last-minute',
      'download-last-10-minutes',
      'download-last-hour',
      'download-since-open',
      'download-everything',
    ]);
    await page.keyboard.press('Escape');
    await poll(() => page.locator('#download-menu').isVisible()).toBe(false);
    expect(await focusedControl(page)).toBe('download-toggle');

    // The port picker switches ports from the keyboard.
    await page.locator('#port').focus();
    await page.keyboard.press('ArrowDown');
    await poll(() => page.evaluate(() => window.serialdeck?.port())).toBe('second-demo');
    await poll(() => page.evaluate(() => window.location.hash)).toBe('#/second-demo');

    // The mode selector works from the keyboard as well.
    await page.locator('#mode').focus();
    await page.keyboard.press('ArrowDown');
    await poll(() => page.evaluate(() => window.serialdeck?.mode())).toBe('raw');
  });

  it('gives every focusable control an accessible name, and the ones that matter the right one', async () => {
    const server = await serve();
    const page = await openConsole(server.url);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('Accessibility.enable');

    // Every focusable node in Chromium's accessibility tree has a name (what a screen reader announces).
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const focusable = nodes.filter(
      (node) => !node.ignored && node.properties?.some((p) => p.name === 'focusable' && p.value.value === true),
    );
    const unnamed = focusable
      .filter((node) => node.role?.value !== 'RootWebArea' && String(node.name?.value ?? '').trim() === '')
      .map((node) => `${String(node.role?.value)} (backend node ${String(node.backendDOMNodeId)})`);
    expect(focusable.length).toBeGreaterThan(8);
    expect(unnamed).toEqual([]);

    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const nameOf = async (selector: string): Promise<{ role: string; name: string }> => {
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      if (!nodeId) throw new Error(`no element matches ${selector}`);
      const tree = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
      const node = tree.nodes[0];
      return { role: String(node?.role?.value ?? ''), name: String(node?.name?.value ?? '') };
    };
    const wanted: Array<[string, string, RegExp]> = [
      ['#port', 'combobox', /^port/i],
      ['#download-toggle', 'button', /^download$/i],
      ['#baud', 'combobox', /baud/i],
      ['#mode', 'combobox', /mode/i],
      ['#line-ending', 'combobox', /line ending/i],
      ['#search-open', 'button', /search/i],
      ['#clear', 'button', /clear/i],
      ['#reconnect', 'button', /reconnect/i],
      ['#reset', 'button', /reset/i],
      ['#line-input', 'textbox', /send|line|command/i],
      ['#send', 'button', /send/i],
      ['#local-echo', 'checkbox', /echo/i],
      ['#terminal .xterm-helper-textarea', 'textbox', /console|terminal/i],
    ];
    for (const [selector, role, name] of wanted) {
      const got = await nameOf(selector);
      expect(got.role, selector).toBe(role);
      expect(got.name, selector).toMatch(name);
    }
    // The status pill's changes are announced to screen readers.
    await poll(() => page.locator('#announcer').textContent()).toMatch(/^Status: .*open/);
    expect(await page.locator('#announcer').getAttribute('aria-live')).toBe('polite');
  });
});

describe('read-only and token servers', () => {
  it('read-only: the page says typing is disabled, and nothing typed reaches the board', async () => {
    const server = await serve({ readOnly: true });
    const page = await openConsole(server.url);
    await poll(() => page.locator('#read-only-badge').isVisible()).toBe(true);
    expect(await page.locator('#read-only-note').isVisible()).toBe(true);
    expect(await page.locator('#read-only-note').textContent()).toMatch(/read-only/i);
    expect(await page.locator('#line-input').isDisabled()).toBe(true);
    expect(await page.locator('#line-input').getAttribute('placeholder')).toMatch(/read-only/i);
    expect(await page.locator('#send').isDisabled()).toBe(true);
    expect(await page.locator('#baud').isDisabled()).toBe(true);
    expect(await page.locator('#reset').isDisabled()).toBe(true);
    expect(await page.evaluate(() => window.serialdeck?.readOnly())).toBe(true);

    // Try anyway, in raw mode, straight into the console. The board echoes what it receives and
    // redraws the pending line under every reading, so two more readings without it prove it never arrived.
    await page.selectOption('#mode', 'raw');
    await page.locator('#terminal').click();
    await page.keyboard.type('zzz');
    await page.keyboard.press('Enter');
    const before = readingCount(await readScreen(page));
    await page.waitForFunction(
      (n) => (window.serialdeck?.readScreen() ?? '').split('\n').filter((l) => /^\{".*\}$/.test(l)).length >= n + 2,
      before,
      { timeout: WAIT_MS, polling: 50 },
    );
    expect(await readScreen(page)).not.toContain('zzz');
  });

  it('token: a page without the token is refused; the printed URL gets in', async () => {
    const server = await serve({ token: 'e2e-token-not-secret' });
    expect(server.openUrl).toBe(`${server.url}?token=e2e-token-not-secret`);

    const refused = await open(server.url);
    expect(refused.response?.status()).toBe(401);
    expect(await refused.page.locator('h1').textContent()).toMatch(/needs a token/i);
    expect(await refused.page.locator('#terminal').count()).toBe(0);

    const { page, response } = await open(server.openUrl);
    expect(response?.status()).toBe(200);
    // The token was traded for a cookie and left the address bar.
    expect(page.url()).toBe(server.url);
    await waitForState(page, 'open');
    await waitForScreen(page, 'READY');
    expect(await page.locator('#banner').isVisible()).toBe(false);
  });

  it('token: a page whose cookie holds a wrong token is told it is not authorized', async () => {
    const server = await serve({ token: 'e2e-token-not-secret' });
    const { page, context } = await open(server.openUrl);
    await waitForState(page, 'open');
    // The token changes under the page (say, the server restarted with a new one): the socket is refused.
    await context.addCookies([{ name: 'serialdeck_token', value: 'wrong-token-123', url: server.url }]);
    await page.locator('#reconnect').click();
    await waitForState(page, 'not-authorized');
    await poll(() => page.locator('#banner').isVisible()).toBe(true);
    expect(await page.locator('#banner').textContent()).toMatch(/token/);
  });
});
