// The console's Lines and Hex views in Chromium, over a socat pty the test writes as the board: the
// hex view shows the bytes the board sent at their stream offsets (as the raw download has them),
// the Lines view shows each line with its server time or delta, and a filter saved on the server
// hides lines and shows them again without losing any (the raw console and a download keep them,
// and a reload sees the same filter); a change saved in one page reaches another open page at once,
// pushed on its event stream, without a reload; with Settings > Show writes inline on, writes show
// among the lines with their author, in their own colour, and go when it is switched off.
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import type { PortFilters, WritesResponse } from '../../server/wire/api.js';
import { poll, readScreen, waitForScreen, waitForState } from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';
import { request } from '../helpers/ports-api.js';
import type { PtyPair } from '../helpers/pty-pair.js';

const suite = useBrowser();
let pair: PtyPair | undefined;
let server: RunningServer | undefined;

beforeEach(async () => {
  pair = await suite.pty();
  server = await suite.serve({ ports: [pair.devicePath] });
});

const encoder = new TextEncoder();
/** What the board sends: text lines, a prompt, and bytes no terminal shows (NUL, DEL, 0xff, ESC). */
const BOARD_BYTES = Uint8Array.from([
  ...encoder.encode('boot ok\r\ntemp:21.4\r\nERROR sensor 3\r\n'),
  0x00, 0x01, 0x7f, 0xff, 0x1b, 0x5b, 0x30, 0x6d,
  ...encoder.encode('\r\ntemp:21.5\r\nwarn: low battery\r\ntemp:21.6\r\n'),
]);

async function openDevicePage(): Promise<{ page: Page; errors: Error[]; portId: string }> {
  if (!server || !pair) throw new Error('hooks did not start the pty pair and server');
  const opened = await suite.open(server.url);
  await waitForState(opened.page, 'open');
  const portId = await opened.page.evaluate(() => window.serialdeck!.port());
  return { page: opened.page, errors: opened.errors, portId };
}

/** The hex view's rows read back into bytes by offset. */
async function hexBytes(page: Page): Promise<Map<number, number>> {
  const text = await page.locator('#console-hex .hex-rows').textContent();
  const bytes = new Map<number, number>();
  for (const row of (text ?? '').split('\n')) {
    const match = /^([0-9a-f]{8,})  (.{49}) \|(.{16})\|$/.exec(row);
    if (!match) throw new Error(`not a hex row: ${JSON.stringify(row)}`);
    const base = parseInt(match[1]!, 16);
    const cells = match[2]!.replace(/^(.{24}) /, '$1').match(/.{3}/g)!;
    cells.forEach((cell, col) => {
      if (cell.trim() !== '') bytes.set(base + col, parseInt(cell, 16));
    });
  }
  return bytes;
}

/** The Lines view's rows: time column and text. */
function lineRows(page: Page): Promise<Array<{ time: string; text: string; colour: string | null }>> {
  return page.locator('#console-lines .line-row').evaluateAll((rows) =>
    rows.map((row) => ({
      time: row.querySelector('.line-time')?.textContent ?? '',
      text: row.querySelector('.line-text')?.textContent ?? '',
      colour: (row as HTMLElement).dataset.colour ?? null,
    })),
  );
}

/** Longest wait for the Lines view's first rows, in ms: see its use. */
const LINES_FIRST_WAIT_MS = 30_000;

const BOARD_LINES = ['boot ok', 'temp:21.4', 'ERROR sensor 3', '\u0000\u0001\u007f\ufffd\u001b[0m', 'temp:21.5', 'warn: low battery', 'temp:21.6'];

describe('console views over the same bytes', () => {
  it('the hex view shows the bytes the board sent, at their stream offsets', async () => {
    const { page, errors, portId } = await openDevicePage();
    const start = await page.evaluate(() => window.serialdeck!.offset());
    await pair!.board.write(BOARD_BYTES);
    await waitForScreen(page, /temp:21\.6/);
    await page.selectOption('#console-view', 'hex');
    const end = start + BOARD_BYTES.length;
    await poll(async () => Number(await page.locator('#console-hex .hex-rows').getAttribute('data-end'))).toBe(end);
    const shown = await hexBytes(page);
    expect(Array.from({ length: BOARD_BYTES.length }, (_, i) => shown.get(start + i))).toEqual(Array.from(BOARD_BYTES));
    // Offsets are the stream's: the raw download of the same range holds the same bytes.
    const raw = await request(server!.url, `api/ports/${encodeURIComponent(portId)}/download?format=raw&from=${start}&to=${end}`);
    expect(Array.from(raw.body)).toEqual(Array.from(BOARD_BYTES));
    // An ASCII column, with dots for what does not print.
    expect(await page.locator('#console-hex .hex-rows').textContent()).toContain('|boot ok..temp:21|');
    // Raw is still there, untouched.
    await page.selectOption('#console-view', 'raw');
    expect(await page.locator('#console-hex').isHidden()).toBe(true);
    expect(await readScreen(page)).toMatch(/boot ok\ntemp:21\.4\nERROR sensor 3/);
    expect(errors).toEqual([]);
  });

  it('the Lines view shows times, and a filter hides and shows lines without losing any', async () => {
    const { page, errors, portId } = await openDevicePage();
    await pair!.board.write(BOARD_BYTES);
    await waitForScreen(page, /temp:21\.6/);
    await page.selectOption('#console-view', 'lines');
    // The view's first lines are replayed from the capture over a fresh SSE stream: on a CI machine
    // starting every suite at once that has taken over 10 s, so it gets longer.
    await poll(async () => (await lineRows(page)).map((r) => r.text), LINES_FIRST_WAIT_MS).toEqual(BOARD_LINES);
    // Server time, then the delta from the previous line.
    for (const row of await lineRows(page)) expect(row.time).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    await page.click('#console-lines .lines-time-toggle');
    const deltas = (await lineRows(page)).map((r) => r.time);
    expect(deltas[0]).toBe('+—');
    for (const delta of deltas.slice(1)) expect(delta).toMatch(/^\+\d+\.\d{3}$/);

    // A hide filter, saved on the server, plus a highlight.
    await page.click('#console-lines .lines-filters-toggle');
    await page.click('#console-lines .filter-add');
    await page.fill('#console-lines .filter-row:nth-child(1) .filter-pattern', '^temp:');
    await page.click('#console-lines .filter-add');
    await page.fill('#console-lines .filter-row:nth-child(2) .filter-pattern', 'error|warn');
    await page.check('#console-lines .filter-row:nth-child(2) .filter-ignore-case');
    await page.selectOption('#console-lines .filter-row:nth-child(2) .filter-action', 'highlight');
    await page.selectOption('#console-lines .filter-row:nth-child(2) .filter-colour', 'red');
    await page.click('#console-lines .filter-save');
    await poll(async () => (await lineRows(page)).map((r) => r.text)).toEqual(['boot ok', 'ERROR sensor 3', BOARD_LINES[3], 'warn: low battery']);
    expect((await lineRows(page)).filter((r) => r.colour === 'red').map((r) => r.text)).toEqual(['ERROR sensor 3', 'warn: low battery']);
    expect(await page.locator('#console-lines .lines-hidden').textContent()).toMatch(/^3 of 7 lines hidden by filters/);
    expect(await page.locator('#console-lines .filter-status').textContent()).toBe('Saved on the server for this port.');

    // Nothing lost: the raw console and a download still have every hidden line.
    await page.selectOption('#console-view', 'raw');
    expect(await readScreen(page)).toMatch(/temp:21\.4\nERROR sensor 3\n[\s\S]*temp:21\.5\nwarn: low battery\ntemp:21\.6/);
    const text = await request(server!.url, `api/ports/${encodeURIComponent(portId)}/download?format=text`);
    for (const line of ['temp:21.4', 'temp:21.5', 'temp:21.6']) expect(text.text()).toContain(line);
    const saved = (await request(server!.url, `api/ports/${encodeURIComponent(portId)}/filters`)).json<PortFilters>();
    expect(saved.filters.map((f) => [f.pattern, f.flags, f.action, f.colour, f.enabled])).toEqual([
      ['^temp:', '', 'hide', 'yellow', true],
      ['error|warn', 'i', 'highlight', 'red', true],
    ]);

    // A reload (any viewer) sees the same filters; switching the hide off shows every line again.
    await page.reload();
    await waitForState(page, 'open');
    expect(await page.locator('#console-view').inputValue()).toBe('raw'); // the last choice is kept
    await page.selectOption('#console-view', 'lines');
    await poll(async () => (await lineRows(page)).map((r) => r.text)).toEqual(['boot ok', 'ERROR sensor 3', BOARD_LINES[3], 'warn: low battery']);
    await page.click('#console-lines .lines-filters-toggle');
    await page.uncheck('#console-lines .filter-row:nth-child(1) .filter-enabled');
    await page.click('#console-lines .filter-save');
    await poll(async () => (await lineRows(page)).map((r) => r.text)).toEqual(BOARD_LINES);
    expect(await page.locator('#console-lines .lines-hidden').textContent()).toBe('');

    // A pattern the server refuses is named, and the list on the server stays as it was.
    await page.click('#console-lines .filter-add');
    await page.fill('#console-lines .filter-row:nth-child(3) .filter-pattern', '(unclosed');
    await page.click('#console-lines .filter-save');
    await poll(() => page.locator('#console-lines .filter-status').textContent()).toMatch(/^Not saved: filters\/2\/pattern "\(unclosed" does not compile/);
    expect((await request(server!.url, `api/ports/${encodeURIComponent(portId)}/filters`)).json<PortFilters>().filters).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it("two pages see each other's filter changes as they are saved, without a reload", async () => {
    const a = await openDevicePage();
    const b = await openDevicePage();
    await pair!.board.write(BOARD_BYTES);
    for (const { page } of [a, b]) {
      await waitForScreen(page, /temp:21\.6/);
      await page.selectOption('#console-view', 'lines');
      await poll(async () => (await lineRows(page)).map((r) => r.text), LINES_FIRST_WAIT_MS).toEqual(BOARD_LINES);
      await page.click('#console-lines .lines-filters-toggle');
    }
    // A mark in each page's window, gone if the page reloaded: the changes below must arrive in the pages as they are.
    const marked = (page: Page) => page.evaluate(() => (window as unknown as { filtersMark?: boolean }).filtersMark === true);
    for (const { page } of [a, b]) await page.evaluate(() => void ((window as unknown as { filtersMark?: boolean }).filtersMark = true));

    // A hides the temperature lines; B, untouched, hides them too as soon as A's save lands.
    await a.page.click('#console-lines .filter-add');
    await a.page.fill('#console-lines .filter-row:nth-child(1) .filter-pattern', '^temp:');
    await a.page.click('#console-lines .filter-save');
    const hiddenTemps = ['boot ok', 'ERROR sensor 3', BOARD_LINES[3], 'warn: low battery'];
    await poll(async () => (await lineRows(a.page)).map((r) => r.text)).toEqual(hiddenTemps);
    await poll(async () => (await lineRows(b.page)).map((r) => r.text)).toEqual(hiddenTemps);
    expect(await b.page.locator('#console-lines .lines-hidden').textContent()).toMatch(/^3 of 7 lines hidden by filters/);
    expect(await b.page.locator('#console-lines .filter-row:nth-child(1) .filter-pattern').inputValue()).toBe('^temp:');

    // B switches it off and adds a highlight; A shows every line again, with the highlight, and B's list in its editor.
    await b.page.uncheck('#console-lines .filter-row:nth-child(1) .filter-enabled');
    await b.page.click('#console-lines .filter-add');
    await b.page.fill('#console-lines .filter-row:nth-child(2) .filter-pattern', 'warn');
    await b.page.selectOption('#console-lines .filter-row:nth-child(2) .filter-action', 'highlight');
    await b.page.selectOption('#console-lines .filter-row:nth-child(2) .filter-colour', 'green');
    await b.page.click('#console-lines .filter-save');
    await poll(async () => (await lineRows(a.page)).filter((r) => r.colour === 'green').map((r) => r.text)).toEqual(['warn: low battery']);
    expect((await lineRows(a.page)).map((r) => r.text)).toEqual(BOARD_LINES);
    expect(await a.page.locator('#console-lines .lines-hidden').textContent()).toBe('');
    expect(await a.page.locator('#console-lines .filter-row:nth-child(1) .filter-enabled').isChecked()).toBe(false);
    expect(await a.page.locator('#console-lines .filter-row').count()).toBe(2);
    expect([await marked(a.page), await marked(b.page)]).toEqual([true, true]);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('shows writes among the lines, with their author and in their own colour, while Show writes inline is on', async () => {
    const { page, errors, portId } = await openDevicePage();
    const showWrites = async (on: boolean): Promise<void> => {
      await page.locator('#settings > summary').click();
      await page.locator('#show-writes').setChecked(on);
      await page.locator('#settings > summary').click();
    };
    await showWrites(true);
    await page.selectOption('#console-view', 'lines');
    await pair!.board.write('> ');
    await poll(async () => (await lineRows(page)).map((r) => r.text), LINES_FIRST_WAIT_MS).toEqual(['> ']);

    // Someone writes over HTTP; the board echoes it on its prompt line and replies.
    const written = await request(server!.url, `api/ports/${encodeURIComponent(portId)}/write`, { method: 'POST', body: 'G28\n' });
    expect(written.status).toBe(200);
    expect(await pair!.board.readUntil('G28\n')).toBe('G28\n');
    await pair!.board.write('G28\r\nok\r\n');
    const author = (await request(server!.url, `api/ports/${encodeURIComponent(portId)}/writes`)).json<WritesResponse>().writes[0]!.name;
    await poll(async () => (await lineRows(page)).map((r) => r.text)).toEqual([`${author}> G28`, '> G28', 'ok']);
    const writeRow = page.locator('#console-lines .line-row[data-write="true"]');
    expect(await writeRow.count()).toBe(1);
    expect(await writeRow.locator('.line-time').textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    const colourOf = (selector: string) => page.locator(selector).first().evaluate((el) => getComputedStyle(el).color);
    expect(await colourOf('#console-lines .line-row[data-write="true"] .line-text')).not.toBe(await colourOf('#console-lines .line-row:not([data-write]) .line-text'));

    // Filters leave writes alone; switching the setting off takes them out, on brings them back.
    await page.click('#console-lines .lines-filters-toggle');
    await page.click('#console-lines .filter-add');
    await page.fill('#console-lines .filter-row:nth-child(1) .filter-pattern', 'G28');
    await page.click('#console-lines .filter-save');
    await poll(async () => (await lineRows(page)).map((r) => r.text)).toEqual([`${author}> G28`, 'ok']);
    await showWrites(false);
    await poll(async () => (await lineRows(page)).map((r) => r.text)).toEqual(['ok']);
    await showWrites(true);
    await poll(async () => (await lineRows(page)).map((r) => r.text)).toEqual([`${author}> G28`, 'ok']);
    expect(errors).toEqual([]);
  });
});
