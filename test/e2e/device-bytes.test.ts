// What the page sends, checked byte for byte where the device receives it: serialdeck opens one end of
// a socat pty pair, the test reads the board's end. Line mode appends the chosen line ending; raw mode
// sends every key as typed, Ctrl+C as 0x03.
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import { focusedId, poll, sendLine, waitForScreen, waitForState } from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';
import type { PtyPair } from '../helpers/pty-pair.js';

const suite = useBrowser();
let pair: PtyPair | undefined;
let server: RunningServer | undefined;

beforeEach(async () => {
  pair = await suite.pty();
  server = await suite.serve({ ports: [pair.devicePath] });
});

/** Opens the page on the pty-backed server and waits until the device is open and the board's hello shows. */
async function openDevicePage(): Promise<{ page: Page; board: PtyPair['board'] }> {
  if (!server || !pair) throw new Error('hooks did not start the pty pair and server');
  const opened = await suite.open(server.url);
  await waitForState(opened.page, 'open');
  expect(await opened.page.locator('#device').textContent()).toBe(pair.devicePath);
  // The device's output reaches the page: also proves the path both ways is up before typing.
  await pair.board.write('board says hi\r\nboard> ');
  await waitForScreen(opened.page, /^board says hi\nboard> $/m);
  expect(opened.errors).toEqual([]);
  return { page: opened.page, board: pair.board };
}

const bytesOf = (text: string) => Array.from(new TextEncoder().encode(text));

describe('bytes the page sends to the device', () => {
  it('line mode: the line-ending selector decides what follows the line (None, LF, CR, CR+LF)', async () => {
    const { page, board } = await openDevicePage();
    await poll(() => page.locator('#line-ending').inputValue()).toBe('lf'); // the default

    const cases = [
      ['none', 'ending-none', ''],
      ['lf', 'ending-lf', '\n'],
      ['cr', 'ending-cr', '\r'],
      ['crlf', 'ending-crlf', '\r\n'],
    ] as const;
    for (const [ending, line, suffix] of cases) {
      await page.selectOption('#line-ending', ending);
      await sendLine(page, line);
      // Exactly these bytes, in order: a stray or missing byte shifts every later read and fails it.
      expect(Array.from(await board.readBytes(line.length + suffix.length)), `ending ${ending}`).toEqual(
        bytesOf(line + suffix),
      );
    }
    // Nothing trailed the CR+LF line: the next line starts right where it ended.
    await page.selectOption('#line-ending', 'lf');
    await sendLine(page, 'done');
    expect(Array.from(await board.readBytes(5))).toEqual(bytesOf('done\n'));

    // UTF-8 goes out as UTF-8.
    await sendLine(page, 'µ°C ✓');
    expect(Array.from(await board.readBytes(bytesOf('µ°C ✓\n').length))).toEqual(bytesOf('µ°C ✓\n'));
  });

  it('raw mode: keys go out as typed, Enter as CR, and Ctrl+C as 0x03', async () => {
    const { page, board } = await openDevicePage();
    await page.selectOption('#mode', 'raw');
    // The console takes the keys now: focus moved into xterm, the line box is gone, the hint is up.
    await poll(() => page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea') ?? false)).toBe(
      true,
    );
    expect(await page.locator('#line-form').isVisible()).toBe(false);
    expect(await page.locator('#raw-hint').isVisible()).toBe(true);

    await page.keyboard.type('ls');
    expect(Array.from(await board.readBytes(2))).toEqual(bytesOf('ls'));
    await page.keyboard.press('Enter');
    expect(Array.from(await board.readBytes(1))).toEqual([0x0d]);
    await page.keyboard.press('Control+c');
    expect(Array.from(await board.readBytes(1))).toEqual([0x03]);
    await page.keyboard.press('Backspace');
    expect(Array.from(await board.readBytes(1))).toEqual([0x7f]);

    // Ctrl+] leaves the console for the toolbar, and sends nothing.
    await page.keyboard.press('Control+]');
    await poll(() => focusedId(page)).toBe('baud');
    await page.selectOption('#mode', 'line');
    await sendLine(page, 'after');
    expect(Array.from(await board.readBytes(6))).toEqual(bytesOf('after\n'));
  });
});
