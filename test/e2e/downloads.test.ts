// The Download menu, as a person uses it on the demo board: Download → Last minute saves a text log
// whose every line starts with its arrival time; with the format set to raw it saves exactly the bytes
// the console received (compared with what the page's socket carried); NDJSON holds the same bytes as
// records. The files are real downloads (an <a download>), read from where Chromium saved them.
import { readFile } from 'node:fs/promises';
import type { Download, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import { poll, readScreen, waitForScreen, waitForState } from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';

// An exception thrown inside a page fails the test that caused it.
const suite = useBrowser({ failOnPageErrors: true });
let server: RunningServer | undefined;

// A server per test: its stream is seconds old, so "the last minute" is all of it.
beforeEach(async () => {
  server = await suite.serve();
});

/** "2026-11-29T14:02:10.123Z +12.345 ": the text format's prefix, arrival time (ISO 8601) and seconds since the range start. */
const TEXT_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [+-]\d+\.\d{3} /;

/** Opens the Download menu and clicks the link `id`; resolves with the download Chromium made of it. */
async function download(page: Page, id: string): Promise<Download> {
  const toggle = page.getByRole('button', { name: 'Download' });
  await toggle.click();
  await poll(() => page.locator('#download-menu').isVisible()).toBe(true);
  expect(await toggle.getAttribute('aria-expanded')).toBe('true');
  const [saved] = await Promise.all([page.waitForEvent('download'), page.locator(`#${id}`).click()]);
  await poll(() => page.locator('#download-menu').isVisible()).toBe(false); // a chosen link closes the menu
  const failure = await saved.failure();
  if (failure !== null) throw new Error(`download ${id} failed: ${failure}`);
  return saved;
}

async function contents(saved: Download): Promise<Buffer> {
  return readFile(await saved.path());
}

/** Sets the menu's format (opening and closing the menu around it, as a person would). */
async function chooseFormat(page: Page, format: string): Promise<void> {
  await page.getByRole('button', { name: 'Download' }).click();
  await page.locator('#download-format').selectOption(format);
  await page.keyboard.press('Escape');
  await poll(() => page.locator('#download-menu').isVisible()).toBe(false);
}

/** The device's lines of a text download: prefix removed, writes (`>>`) and events (`--`) left out. */
function dataLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(TEXT_PREFIX, ''))
    .filter((line) => !line.startsWith('>> ') && !line.startsWith('-- '));
}

describe('the Download menu', () => {
  it('Last minute as text: the banner and readings, every line stamped with its ISO arrival time', async () => {
    if (!server) throw new Error('beforeEach did not start the server');
    const { page, sockets } = await suite.open(server.url);
    await waitForState(page, 'open');
    await waitForScreen(page, /^\{"temp"/m); // the banner and a reading at least

    // Every range is a real link to this port's capture, in the chosen format.
    const hrefs = await page.locator('#download-links a').evaluateAll((links) => links.map((a) => [a.id, a.getAttribute('href')]));
    expect(hrefs.map(([id]) => id)).toEqual([
      'download-last-minute',
      'download-last-10-minutes',
      'download-last-hour',
      'download-since-open',
      'download-everything',
    ]);
    for (const [id, href] of hrefs) expect(href, id ?? '').toMatch(/(^|\/)api\/ports\/demo\/download\?.*format=text/);

    const saved = await download(page, 'download-last-minute');
    expect(saved.suggestedFilename()).toMatch(/^demo-.*\.txt$/);
    const text = (await contents(saved)).toString('utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe(''); // ends with a newline
    for (const line of lines) expect(line).toMatch(TEXT_PREFIX);
    const device = dataLines(text);
    expect(device.some((l) => l.includes('serialdeck demo board'))).toBe(true);
    expect(device.some((l) => l.includes('READY'))).toBe(true);
    // A reading follows the board's prompt, which it erases first ("> \r\x1b[2K{…}"), as the board sent it.
    const readings = device.flatMap((l) => /\{"temp".*\}$/.exec(l) ?? []);
    expect(readings.length).toBeGreaterThan(0);
    for (const reading of readings) expect(JSON.parse(reading)).toEqual(expect.objectContaining({ temp: expect.any(Number) }));
    // The device's lines are stamped in the order they arrived, and the stamps are now-ish. (Events, stamped
    // on the main thread when recorded, can read a few ms later than data that arrived before them.)
    const stamps = lines.filter((l) => !/^\S+ \S+ (--|>>) /.test(l)).map((l) => Date.parse(l.slice(0, 24)));
    expect(stamps.length).toBeGreaterThan(readings.length);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(Math.abs((stamps.at(-1) ?? 0) - Date.now())).toBeLessThan(60_000);
    // The page kept the console going meanwhile: the file covers what the console showed.
    const screen = await readScreen(page);
    for (const reading of readings) expect(screen).toContain(reading);
    expect(sockets.received('demo').from).toBe(0);
  });

  it('Last minute as raw bytes: exactly the bytes the console received; NDJSON carries the same bytes as records', async () => {
    if (!server) throw new Error('beforeEach did not start the server');
    const { page, sockets } = await suite.open(server.url);
    await waitForState(page, 'open');
    await waitForScreen(page, /^\{"temp"/m);

    await chooseFormat(page, 'raw');
    expect(await page.locator('#download-last-minute').getAttribute('href')).toMatch(/format=raw/);
    const receivedBefore = sockets.received('demo');
    const screenBefore = await readScreen(page);
    const raw = await contents(await download(page, 'download-last-minute'));

    // The server's stream is younger than a minute, so the last minute is all of it, from offset 0:
    // the file is what the page's socket carried from its hello on, byte for byte (the console may have more by now).
    await poll(() => sockets.received('demo').to).toBeGreaterThanOrEqual(raw.length);
    const received = sockets.received('demo');
    expect(received.from).toBe(0);
    expect(received.breaks).toEqual([]);
    expect(raw.length).toBeGreaterThanOrEqual(receivedBefore.bytes.length);
    expect(raw.equals(received.bytes.subarray(0, raw.length))).toBe(true);
    // And what the console showed before the click: each reading line is in the file as the board sent it.
    const rawText = raw.toString('utf8');
    const shownReadings = screenBefore.split('\n').filter((l) => /^\{"temp".*\}$/.test(l));
    expect(shownReadings.length).toBeGreaterThan(0);
    for (const line of shownReadings) expect(rawText).toContain(`${line}\r\n`);
    expect(rawText).toMatch(/READY/);

    // The format choice is remembered by the page.
    await page.reload();
    await waitForState(page, 'open');
    expect(await page.locator('#download-format').inputValue()).toBe('raw');

    await chooseFormat(page, 'ndjson');
    const saved = await download(page, 'download-everything');
    expect(saved.suggestedFilename()).toMatch(/^demo-.*\.ndjson$/);
    const records = (await contents(saved))
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { kind: string; offset: number; time: string; text?: string; base64?: string });
    const data = records.filter((r) => r.kind === 'data');
    expect(data.length).toBeGreaterThan(0);
    let offset = 0;
    const parts: Buffer[] = [];
    for (const record of data) {
      expect(record.offset).toBe(offset); // contiguous from 0: nothing missing between records
      const bytes = record.text !== undefined ? Buffer.from(record.text, 'utf8') : Buffer.from(record.base64 ?? '', 'base64');
      parts.push(bytes);
      offset += bytes.length;
      expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const all = Buffer.concat(parts);
    expect(all.length).toBeGreaterThanOrEqual(raw.length);
    expect(all.subarray(0, raw.length).equals(raw)).toBe(true);
  });
});
