// Live mode: a page that cannot keep up is skipped ahead to the newest output instead of lagging, and says
// so. The page's scripts are held by the debugger (it renders and acks nothing) while the board, on a socat
// pty, bursts far more than the server's 4 KiB memory ring for this port; once the page runs again it shows
// the skip in the console and in the "Skipped output" list with the exact range and reason, every byte it
// did get is the board's in order with only that range missing, and the range downloads from the capture.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { SKIP_REASON_TEXT } from '../../client/console/notices.js';
import type { PortSummary } from '../../server/wire/api.js';
import type { RunningServer } from '../../server/start.js';
import { PHONE, poll, screenshot, stallScripts, waitForScreen, waitForState } from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';
import type { PageSockets } from '../helpers/page-sockets.js';
import type { PtyPair } from '../helpers/pty-pair.js';

/** Wait for the page to chew through a MiB of queued output and show what follows, in ms: generous for a loaded CI machine. */
const CATCH_UP_MS = 20_000;
/** The page's window of sent-but-unacked bytes on the server (DEFAULT_STREAM_LIMITS.ackWindowBytes): what a stalled page is sent at most. */
const ACK_WINDOW_BYTES = 1024 * 1024;
/** Each burst line: 64 bytes, numbered, so any byte's place in the burst is known. */
const LINE_BYTES = 64;

// An exception thrown inside the page fails the test that caused it.
const suite = useBrowser({ failOnPageErrors: true });
let pair: PtyPair | undefined;
let server: RunningServer | undefined;

beforeEach(async () => {
  pair = await suite.pty();
  // 4 KiB of memory (the least allowed): a page that stops reading falls out of it after a few lines.
  server = await suite.serve({ ports: [{ path: pair.devicePath, name: 'burst' }], defaults: { scrollback: '4KiB' } });
});

function burstLine(n: number): string {
  const head = `burst-${String(n).padStart(7, '0')} `;
  return `${head}${'x'.repeat(LINE_BYTES - head.length - 2)}\r\n`;
}

async function streamEnd(): Promise<number> {
  if (!server) throw new Error('no server');
  return ((await (await fetch(new URL('api/ports/burst', server.url))).json()) as PortSummary).stream.end;
}

/** The entries of the Skipped list, newest first. */
function skippedEntries(page: Page): Promise<Array<{ from: number; to: number; reason: string; text: string }>> {
  return page.locator('#skipped-list > li').evaluateAll((items) =>
    items.map((li) => ({
      from: Number((li as HTMLElement).dataset.from),
      to: Number((li as HTMLElement).dataset.to),
      reason: (li as HTMLElement).dataset.reason ?? '',
      text: li.textContent ?? '',
    })),
  );
}

/** `stream` with the byte ranges `gaps` ([from, to), offsets from 0) cut out. */
function without(stream: Buffer, gaps: ReadonlyArray<{ from: number; to: number }>): Buffer {
  const kept: Buffer[] = [];
  let at = 0;
  for (const gap of [...gaps].sort((a, b) => a.from - b.from)) {
    kept.push(stream.subarray(at, gap.from));
    at = gap.to;
  }
  kept.push(stream.subarray(at));
  return Buffer.concat(kept);
}

/**
 * Opens the page, lets it render and ack a first line, holds its scripts, has the board write `lines`
 * burst lines, waits until the server read them all, and lets the page run again.
 */
async function stallThroughBurst(lines: number): Promise<{ page: Page; sockets: PageSockets; stream: Buffer }> {
  if (!pair || !server) throw new Error('hooks did not start the pty pair and server');
  const opened = await suite.open(server.url);
  const { page, sockets } = opened;
  await waitForState(page, 'open');
  const first = 'before the burst\r\n';
  await pair.board.write(first);
  await waitForScreen(page, /^before the burst$/m);
  // Once the page has acked, the server sends it at most a window's worth more until the next ack.
  await poll(() => sockets.acked('burst')).toBe(first.length);

  const stall = await stallScripts(page);
  let burst = '';
  for (let n = 0; n < lines; n++) burst += burstLine(n);
  const stream = Buffer.from(first + burst);
  await pair.board.write(burst);
  await poll(() => streamEnd(), CATCH_UP_MS).toBe(stream.length); // the server read the whole burst…
  expect(stall.paused()).toBe(true); // …while the page's scripts were held
  await stall.resume();
  return { page, sockets, stream };
}

/**
 * Waits until the page shows the skip and has caught up with everything the server read, then has the board
 * say one more line and waits for the page to show it: live again, with the newest output.
 */
async function catchesUp(page: Page, sockets: PageSockets, stream: Buffer): Promise<string> {
  if (!pair) throw new Error('no pty pair');
  await page.locator('#skipped').waitFor({ state: 'visible', timeout: CATCH_UP_MS });
  await poll(() => sockets.received('burst').to, CATCH_UP_MS).toBe(stream.length);
  await pair.board.write('after the burst\r\n');
  return waitForScreen(page, /^after the burst$/m);
}

describe('live mode skips a page that fell behind', () => {
  it('lists the skipped range with its reason, then shows new output, and the range downloads from the capture', async () => {
    // 1.5 MiB: half a MiB more than the page's window, in 64-byte lines.
    const { page, sockets, stream } = await stallThroughBurst((1.5 * ACK_WINDOW_BYTES) / LINE_BYTES);
    const screen = await catchesUp(page, sockets, stream);

    // The list, the console and the wire agree on what was skipped and why.
    const received = sockets.received('burst');
    expect(received.from).toBe(0);
    expect(received.breaks.length).toBeGreaterThan(0);
    for (const gap of received.breaks) expect(gap.why).toBe('slow-client');
    const entries = await skippedEntries(page);
    expect(entries.map(({ from, to, reason }) => ({ from, to, reason }))).toEqual(
      received.breaks
        .map(({ from, to }) => ({ from, to, reason: 'slow-client' }))
        .reverse()
        .slice(0, 5),
    );
    for (const entry of entries) {
      expect(entry.text).toContain(`${entry.to - entry.from} bytes skipped (${SKIP_REASON_TEXT['slow-client']})`);
      expect(entry.text).toContain(`${entry.from}–${entry.to}`);
    }
    expect(await page.locator('#skipped').getAttribute('aria-label')).toBe('Skipped output');
    expect(screen).toContain(`bytes skipped (${SKIP_REASON_TEXT['slow-client']})`);
    expect(screen.indexOf('bytes skipped')).toBeLessThan(screen.indexOf('after the burst'));
    // Live mode lost only what it says it skipped: the rest is the board's bytes, in order, each once.
    const board = Buffer.concat([stream, Buffer.from('after the burst\r\n')]);
    await poll(() => sockets.received('burst').to).toBe(board.length);
    expect(sockets.received('burst').bytes.equals(without(board, received.breaks))).toBe(true);

    // The newest entry's Download link gets exactly the skipped bytes from the capture, as timestamped text.
    const newest = entries[0];
    if (!newest) throw new Error('no skipped entry');
    const [saved] = await Promise.all([page.waitForEvent('download'), page.locator('#skipped a.skipped-download').first().click()]);
    const text = (await readFile(await saved.path())).toString('utf8');
    const got = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [+-]\d+\.\d{3} /, ''));
    const want = stream
      .subarray(newest.from, newest.to)
      .toString('utf8')
      .split('\n')
      .map((line) => line.replace(/\r$/, ''))
      .filter((line, i, all) => !(i === all.length - 1 && line === ''));
    expect(got).toEqual(want);

    // How the list looks, at desktop and phone width: inside the viewport, nothing scrolling sideways.
    await screenshot(page, 'live-skip-desktop');
    await page.setViewportSize(PHONE);
    await poll(() => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    const box = await page.locator('#skipped').boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= PHONE.width).toBe(true);
    await screenshot(page, 'live-skip-phone');
  });

  it('a page stalled while more than its whole window passed also gets the notice, then new output', async () => {
    // 3 MiB: the skip is larger than the page's 1 MiB window of unacked bytes.
    const { page, sockets, stream } = await stallThroughBurst((3 * ACK_WINDOW_BYTES) / LINE_BYTES);
    await catchesUp(page, sockets, stream);
    const received = sockets.received('burst');
    expect(received.breaks.reduce((sum, gap) => sum + gap.to - gap.from, 0)).toBeGreaterThan(ACK_WINDOW_BYTES);
    expect((await skippedEntries(page))[0]?.reason).toBe('slow-client');
  });
});
