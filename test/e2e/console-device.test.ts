// The device as the page shows it (issue 10, bug 8 and the serial settings), and the page as an all-day
// tool: why a device cannot be opened, on the page; device events inline in the console; release for
// flashing; any baud rate and the framing; send a file; copy all; jump to live; theme and font size.
// serialdeck opens one end of a socat pty pair; the test plays the board on the other.
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import { PHONE, poll, readScreen, waitForScreen, waitForState, type OpenedPage } from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';
import { listPorts } from '../helpers/ports-api.js';
import type { PtyPair } from '../helpers/pty-pair.js';

// An exception thrown inside the page fails the test that caused it.
const suite = useBrowser({ failOnPageErrors: true });
let pair: PtyPair | undefined;
let server: RunningServer | undefined;

beforeEach(async () => {
  pair = await suite.pty();
  server = await suite.serve({ ports: [{ path: pair.devicePath, name: 'bench' }] });
});

async function open(
  state = 'open',
  options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<OpenedPage> {
  if (!server) throw new Error('hooks did not start the server');
  const opened = await suite.open(server.url, options.viewport);
  if (options.colorScheme) await opened.page.emulateMedia({ colorScheme: options.colorScheme });
  await waitForState(opened.page, state);
  return opened;
}

function setup(): { pair: PtyPair; server: RunningServer } {
  if (!pair || !server) throw new Error('hooks did not start the pty pair and server');
  return { pair, server };
}

const visible = (page: Page, selector: string) => page.locator(selector).isVisible();
const text = (page: Page, selector: string) => page.locator(selector).textContent();

describe('bug 8: the device, where its output would be', () => {
  it('says why a device cannot be opened, with the fix, readable on a phone', async () => {
    await setup().pair.unplug();
    const { page } = await open('waiting', { viewport: PHONE });
    await poll(() => visible(page, '#device-card')).toBe(true);
    expect(await text(page, '#device-card-title')).toBe('Waiting for the device');
    expect(await text(page, '#device-card-reason')).toMatch(/not present/);
    expect(await text(page, '#device-card-fix')).toMatch(/Plug the board in/);
    const box = await page.locator('#device-card').boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= PHONE.width).toBe(true);
    // The console says it too, once, dimmed as serialdeck's own line.
    await waitForScreen(page, /^\[serialdeck: waiting: .*not present.*\]$/m);
  });

  it('marks disconnect and reconnect inline, outside the stream: offsets count only device bytes', async () => {
    const { pair, server } = setup();
    const { page } = await open();
    await pair.board.write('before\r\n');
    await waitForScreen(page, /^before$/m);
    expect(await visible(page, '#device-card')).toBe(false);

    await pair.unplug();
    await waitForScreen(page, /^\[serialdeck: disconnected: .*\]$/m);
    await poll(() => visible(page, '#device-card')).toBe(true);
    await pair.replug();
    await waitForScreen(page, /^\[serialdeck: reconnected at 115200 8N1\]$/m);
    await poll(() => visible(page, '#device-card')).toBe(false);
    await pair.board.write('after\r\n');
    await waitForScreen(page, /^after$/m);
    // The notice is dim yellow (SGR 2;33): xterm draws it with the dim class and colour 3.
    const notice = page.locator('#terminal .xterm-rows span', { hasText: 'reconnected at' }).first();
    expect(await notice.getAttribute('class')).toMatch(/xterm-dim.*xterm-fg-3|xterm-fg-3.*xterm-dim/);
    // The page's offset is the stream's: "before\r\n" + "after\r\n", nothing of the notices.
    const [port] = await listPorts(server.url);
    await poll(() => page.evaluate(() => window.serialdeck?.offset())).toBe(port?.stream.end);
    expect(port?.stream.end).toBe('before\r\nafter\r\n'.length);
  });
});

describe('serial settings', () => {
  it('any baud rate typed, in the status; a framing the pty cannot do is refused, saying why; Reset board and Send break off', async () => {
    const { page } = await open();
    await poll(() => text(page, '#framing')).toBe('115200 8N1');
    // A pty has no modem lines: Reset board is disabled, saying why.
    await poll(() => page.locator('#reset').isDisabled()).toBe(true);
    expect(await page.locator('#reset').getAttribute('title')).toMatch(/no DTR\/RTS/);

    // "Other…" in the toolbar's list opens the panel at the baud field.
    await page.selectOption('#baud', 'other');
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('baud-custom');
    expect(await page.locator('#send-break').isDisabled()).toBe(true);
    await page.locator('#baud-custom').fill('250000');
    await page.locator('#baud-custom').press('Enter');
    await poll(() => text(page, '#framing')).toBe('250000 8N1');
    await waitForScreen(page, /^\[serialdeck: now 250000 8N1\]$/m);
    expect(await page.locator('#baud').inputValue()).toBe('250000');

    // A pty keeps 8 data bits whatever it is told: the server says so, and the page shows what is in force.
    await page.selectOption('#data-bits', '7');
    await poll(() => text(page, '#toast')).toMatch(/^Framing refused: .*8 data bits/);
    await poll(() => page.locator('#data-bits').inputValue()).toBe('8');
    expect(await text(page, '#framing')).toBe('250000 8N1');
  });

  it('sets data bits, parity, stop bits and flow control where the device can (the demo board)', async () => {
    const demo = await suite.serve();
    const { page } = await suite.open(demo.url);
    await waitForState(page, 'open');
    await page.locator('#settings summary').click();
    await page.selectOption('#data-bits', '7');
    await poll(() => text(page, '#framing')).toBe('115200 7N1');
    await page.selectOption('#parity', 'even');
    await poll(() => text(page, '#framing')).toBe('115200 7E1');
    await page.selectOption('#stop-bits', '2');
    await poll(() => text(page, '#framing')).toBe('115200 7E2');
    await page.selectOption('#flow', 'hard');
    await poll(() => text(page, '#framing')).toBe('115200 7E2 RTS/CTS');
    await waitForScreen(page, /^\[serialdeck: now 115200 7E2 RTS\/CTS\]$/m);
    expect(await page.locator('#reset').isEnabled()).toBe(true); // the demo board has modem lines
  });

  it('releases the port for flashing, shows until when on the page and in the console, and reclaims it', async () => {
    const { pair } = setup();
    const { page } = await open();
    await page.locator('#settings summary').click();
    await page.selectOption('#release-for', '60000');
    await page.locator('#release').click();
    await waitForState(page, 'released');
    await poll(() => text(page, '#device-card-title')).toMatch(/^Released for flashing until \d\d:\d\d:\d\d$/);
    await waitForScreen(page, /^\[serialdeck: released for flashing until \d\d:\d\d:\d\d\]$/m);

    await page.locator('#device-card-reclaim').click();
    await waitForState(page, 'open');
    await waitForScreen(page, /^\[serialdeck: reconnected at 115200 8N1\]$/m);
    await pair.board.write('flashed\r\n');
    await waitForScreen(page, /^flashed$/m);
  });
});

describe('the page as an all-day tool', () => {
  it('sends a file, paced, with progress, byte for byte', async () => {
    const { pair } = setup();
    const { page } = await open();
    const file = Buffer.from(Array.from({ length: 5000 }, (_, i) => `${i}\n`).join('').slice(0, 5000));
    await page.locator('#send-file').setInputFiles({ name: 'job.gcode', mimeType: 'text/plain', buffer: file });
    expect(Buffer.from(await pair.board.readBytes(file.length)).equals(file)).toBe(true);
    await poll(() => text(page, '#toast')).toBe('Sent job.gcode (4.9 KiB).');
    expect(await visible(page, '#send-progress')).toBe(false);
  });

  it('copies all the console text from the menu', async () => {
    const { pair, server } = setup();
    const { page, context } = await open();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
    await pair.board.write('first line\r\nsecond line\r\n');
    await waitForScreen(page, /^second line$/m);
    await page.getByRole('button', { name: 'Download' }).click();
    await page.locator('#copy-all').click();
    await poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(await readScreen(page));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^first line\nsecond line$/m);
  });

  it('offers "New output below — jump to live" while scrolled up, and jumps', async () => {
    const { pair } = setup();
    const { page } = await open();
    await pair.board.write(Array.from({ length: 200 }, (_, i) => `row ${i}\r\n`).join(''));
    await waitForScreen(page, /^row 199$/m);
    expect(await visible(page, '#jump-live')).toBe(false);
    await page.locator('#terminal').hover();
    await page.mouse.wheel(0, -2000);
    await poll(() => visible(page, '#jump-live')).toBe(true);
    await pair.board.write('while you were away\r\n');
    await poll(() => text(page, '#jump-live-text')).toBe('New output below — jump to live');
    await page.locator('#jump-live').click();
    await poll(() => visible(page, '#jump-live')).toBe(false);
    await poll(() => page.locator('#terminal .xterm-rows').textContent()).toContain('while you were away');
  });

  it('follows the system theme, can be overridden, and changes the font size', async () => {
    const { page } = await open('open', { colorScheme: 'light' });
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const consoleBackground = () => page.evaluate(() => getComputedStyle(document.querySelector('#terminal .xterm-viewport')!).backgroundColor);
    await poll(theme).toBe('light');
    await poll(consoleBackground).toBe('rgb(251, 251, 252)');
    await page.emulateMedia({ colorScheme: 'dark' });
    await poll(theme).toBe('dark');
    await page.locator('#settings summary').click();
    await page.selectOption('#theme', 'light');
    await poll(theme).toBe('light');

    const rowHeight = () => page.locator('#terminal .xterm-rows > div').first().evaluate((row) => row.getBoundingClientRect().height);
    const before = await rowHeight();
    await page.selectOption('#font-size', '20');
    await poll(rowHeight).toBeGreaterThan(before);
    await page.locator('#screen-reader').check();
    await poll(() => page.locator('#terminal .xterm-accessibility').count()).toBe(1);

    await page.reload(); // remembered
    await waitForState(page, 'open');
    await poll(theme).toBe('light');
    expect(await page.locator('#font-size').inputValue()).toBe('20');
  });
});
