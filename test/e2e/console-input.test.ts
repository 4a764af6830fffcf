// Copy, paste and keys as terminal users expect them (issue 10, bugs 1, 2, 3 and 5), checked where the
// device receives the bytes: serialdeck opens one end of a socat pty pair, the test reads the board's end.
// The clipboard is Chromium's own; the test fills and reads it through the Clipboard API.
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { LINE_BREAK_MARK } from '../../client/controls/paste-lines.js';
import type { RunningServer } from '../../server/start.js';
import { poll, sendLine, waitForScreen, waitForState, type OpenedPage } from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';
import { request } from '../helpers/ports-api.js';
import type { PtyPair } from '../helpers/pty-pair.js';

// An exception thrown inside the page fails the test that caused it.
const suite = useBrowser({ failOnPageErrors: true });
let pair: PtyPair | undefined;
let server: RunningServer | undefined;

beforeEach(async () => {
  pair = await suite.pty();
  server = await suite.serve({ ports: [{ path: pair.devicePath, name: 'bench' }] });
});

/** Opens the page on `url` with clipboard access, and waits until the device is open. */
async function open(url: string, state = 'open'): Promise<OpenedPage> {
  const opened = await suite.open(url);
  await opened.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  await waitForState(opened.page, state);
  return opened;
}

/** Opens the page on the pty and proves both directions work before the test types. */
async function openDevicePage(): Promise<{ page: Page; board: PtyPair['board'] }> {
  if (!server || !pair) throw new Error('hooks did not start the pty pair and server');
  const { page } = await open(server.url);
  await pair.board.write('board says hi\r\nboard> ');
  await waitForScreen(page, /^board says hi\nboard> $/m);
  return { page, board: pair.board };
}

const setClipboard = (page: Page, text: string) => page.evaluate((t) => navigator.clipboard.writeText(t), text);
const readClipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytesOf = (text: string) => Array.from(new TextEncoder().encode(text));

/** Double-clicks the first word of the console row holding `text`: xterm selects that word. */
async function selectWordOnRow(page: Page, text: string): Promise<void> {
  const box = await page.locator('#terminal .xterm-rows > div', { hasText: text }).first().boundingBox();
  if (!box) throw new Error(`no console row shows ${text}`);
  await page.mouse.dblclick(box.x + 8, box.y + box.height / 2);
}

describe('paste in line mode', () => {
  it('bug 1: a pasted block goes out line by line, each with the line ending', async () => {
    const { page, board } = await openDevicePage();
    const input = page.locator('#line-input');
    await setClipboard(page, 'G28\r\nG1 X10\nM105\n');
    await input.focus();
    await page.keyboard.press('Control+V');
    // The input shows the block, its breaks as marks, and Enter sends it.
    await poll(() => input.inputValue()).toBe(['G28', 'G1 X10', 'M105'].join(LINE_BREAK_MARK));
    await input.press('Enter');
    expect(decode(await board.readBytes('G28\nG1 X10\nM105\n'.length))).toBe('G28\nG1 X10\nM105\n');
    await poll(() => input.inputValue()).toBe('');
    // ↑ recalls the block as one entry.
    await input.press('ArrowUp');
    await poll(() => input.inputValue()).toBe(['G28', 'G1 X10', 'M105'].join(LINE_BREAK_MARK));
  });

  it('bug 2: a paste into the console goes to the line input (Ctrl+Shift+V and Ctrl+V), never dropped', async () => {
    const { page, board } = await openDevicePage();
    const input = page.locator('#line-input');
    await page.locator('#terminal').click();
    await setClipboard(page, 'status\nversion\n');
    await page.keyboard.press('Control+Shift+V');
    await poll(() => input.inputValue()).toBe(`status${LINE_BREAK_MARK}version`);
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('line-input');
    await input.press('Enter');
    expect(decode(await board.readBytes('status\nversion\n'.length))).toBe('status\nversion\n');

    await page.locator('#terminal').click();
    await setClipboard(page, 'led on');
    await page.keyboard.press('Control+V');
    await poll(() => input.inputValue()).toBe('led on');
    await input.press('Enter');
    expect(decode(await board.readBytes('led on\n'.length))).toBe('led on\n');
  });

  it('a long paste can be stopped while it goes out; the unsent lines come back to the input', async () => {
    if (!server) throw new Error('no server');
    // 150 ms after each line: 40 lines take six seconds, time enough to press Stop.
    const set = await request(server.url, 'api/ports/bench/command', {
      method: 'POST',
      body: JSON.stringify({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 150 }),
    });
    expect(set.status).toBe(200);
    const { page, board } = await openDevicePage();
    const lines = Array.from({ length: 40 }, (_, i) => `line-${String(i).padStart(2, '0')}`);
    const input = page.locator('#line-input');
    await setClipboard(page, lines.join('\n'));
    await input.focus();
    await page.keyboard.press('Control+V');
    await input.press('Enter');
    // The strip shows how far it got; the first lines reach the board, then Stop.
    await poll(() => page.locator('#send-progress-label').textContent()).toMatch(/^Sending line \d+ of 40$/);
    expect(decode(await board.readBytes(lines[0]!.length + 1))).toBe(`${lines[0]}\n`);
    await page.locator('#send-stop').click();
    await poll(() => page.locator('#send-progress').isVisible()).toBe(false);
    const toast = await page.locator('#toast').textContent();
    const sent = Number(/Stopped after (\d+) of 40 lines/.exec(toast ?? '')?.[1]);
    expect(sent, toast ?? '').toBeGreaterThan(0);
    expect(sent).toBeLessThan(40);
    // Exactly the lines the page handed over reach the board, in order; the rest are back in the input.
    const rest = lines.slice(1, sent).map((l) => `${l}\n`).join('');
    expect(decode(await board.readBytes(rest.length))).toBe(rest);
    await poll(() => input.inputValue()).toBe(lines.slice(sent).join(LINE_BREAK_MARK));
    await sendLine(page, 'after-stop');
    expect(decode(await board.readBytes('after-stop\n'.length))).toBe('after-stop\n');
  });
});

describe('copy and keys', () => {
  it('bug 3, line mode: Ctrl+C copies the console selection', async () => {
    const { page } = await openDevicePage();
    await setClipboard(page, 'before');
    await selectWordOnRow(page, 'board says hi');
    await page.keyboard.press('Control+C');
    await poll(() => readClipboard(page)).toBe('board');
  });

  it('bug 3, raw mode: Ctrl+C/V/F reach the device; the page keeps Ctrl+Shift+C/V/F and Ctrl+C on a selection', async () => {
    const { page, board } = await openDevicePage();
    await page.selectOption('#mode', 'raw');
    await poll(() => page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea'))).toBe(true);
    // The hint names exactly the keys the page keeps.
    const hint = (await page.locator('#raw-hint').textContent())?.replace(/\s+/g, ' ') ?? '';
    for (const keys of ['Ctrl+Shift+C', 'Ctrl+Shift+V', 'Ctrl+Shift+F', 'Ctrl+]']) expect(hint).toContain(keys);

    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.keyboard.press('Control+f');
    expect(Array.from(await board.readBytes(3))).toEqual([0x03, 0x16, 0x06]);
    expect(await page.locator('#search').isVisible()).toBe(false);

    // Ctrl+Shift+V pastes (newlines go out as CR, as typed); Ctrl+Shift+F finds and sends nothing.
    await setClipboard(page, 'ab\ncd');
    await page.keyboard.press('Control+Shift+V');
    expect(Array.from(await board.readBytes(5))).toEqual(bytesOf('ab\rcd'));
    await page.keyboard.press('Control+Shift+F');
    await poll(() => page.locator('#search').isVisible()).toBe(true);
    await page.keyboard.press('Escape');

    // With text selected, Ctrl+C and Ctrl+Shift+C copy it and send nothing.
    await selectWordOnRow(page, 'board says hi');
    await page.keyboard.press('Control+C');
    await poll(() => readClipboard(page)).toBe('board');
    await setClipboard(page, 'cleared');
    await page.keyboard.press('Control+Shift+C');
    await poll(() => readClipboard(page)).toBe('board');
    // Nothing went out meanwhile: the next byte the board reads is the next key.
    await page.locator('#terminal').click({ position: { x: 400, y: 300 } }); // drops the selection
    await page.keyboard.press('z');
    expect(Array.from(await board.readBytes(1))).toEqual([0x7a]);
  });
});

describe('a refused line', () => {
  it('Hex sends the bytes a line spells, exactly (no line ending), and keeps a line that is not hex, saying why', async () => {
    const { page, board } = await openDevicePage();
    const input = page.locator('#line-input');
    await page.locator('#hex-input').check();
    await poll(() => input.getAttribute('placeholder')).toMatch(/^Bytes in hex/);
    await input.fill('01 03 00 0a 0xC5,cd ff');
    await input.press('Enter');
    expect(Array.from(await board.readBytes(7))).toEqual([0x01, 0x03, 0x00, 0x0a, 0xc5, 0xcd, 0xff]);
    await poll(() => input.inputValue()).toBe('');

    await input.fill('48 6g');
    await input.press('Enter');
    await poll(() => page.locator('#toast').textContent()).toBe('Not sent: "6g" is not hex: use 0-9 and A-F, two digits a byte.');
    expect(await input.inputValue()).toBe('48 6g');

    // Kept across a reload; unticked, the line is text again, with its ending.
    await page.reload();
    await waitForState(page, 'open');
    expect(await page.locator('#hex-input').isChecked()).toBe(true);
    await page.locator('#hex-input').uncheck();
    await page.locator('#line-input').fill('48 69');
    await page.locator('#line-input').press('Enter');
    expect(decode(await board.readBytes('48 69\n'.length))).toBe('48 69\n');
  });

  it('bug 5: stays in the input when the device is not open', async () => {
    if (!pair) throw new Error('no pty pair');
    await pair.unplug();
    if (!server) throw new Error('hooks did not start');
    const { page } = await open(server.url, 'waiting');
    const input = page.locator('#line-input');
    await input.fill('M105');
    await input.press('Enter');
    await poll(() => page.locator('#toast').textContent()).toMatch(/The line is back in the input/);
    expect(await input.inputValue()).toBe('M105');
  });
});
