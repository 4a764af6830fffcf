// The page keeps its console across connection trouble. A server restarted on the same data directory
// continues the same stream: the page reconnects by itself and resumes exactly where it left off, every
// byte once (checked against the capture byte for byte). A server restarted on a fresh data directory is
// a new stream: the page says so and shows the new board's output below the old session. The Reconnect
// button resumes where the page left off, without repeating a byte.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { STREAM_RESTARTED_MESSAGE } from '../../client/console/notices.js';
import type { ConfigInput } from '../../server/config.js';
import type { PortSummary } from '../../server/wire/api.js';
import type { RunningServer } from '../../server/start.js';
import {
  poll,
  readScreen,
  sendLine,
  waitForScreen,
  waitForState,
  WAIT_MS,
} from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';
import type { PageSockets } from '../helpers/page-sockets.js';

const suite = useBrowser();
// A server the test closed itself is closed again after it: close() is safe to call twice.
const serve = (config: ConfigInput = {}): Promise<RunningServer> => suite.serve(config);

/** A data directory the test keeps across a restart (startServer's own is removed when its server closes), removed after its servers close. */
async function keptDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'serialdeck-e2e-kept-'));
  suite.defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function openConsole(url: string): Promise<{ page: Page; sockets: PageSockets }> {
  const { page, sockets } = await suite.open(url);
  await waitForState(page, 'open');
  await waitForScreen(page, 'READY');
  return { page, sockets };
}

/** How many times `needle` occurs in `text`. */
function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Types a few long echo lines and waits for each reply, so the page's offset is well past a fresh board's banner. */
async function talkBeforeRestart(page: Page): Promise<void> {
  for (const n of [1, 2, 3, 4]) {
    await sendLine(page, `echo before-restart-${n} ${'-'.repeat(200)}`);
    await waitForScreen(page, new RegExp(`^before-restart-${n} -+$`, 'm'));
  }
}

/** Closes `server` and waits until the page says it is reconnecting, with the draft still editable. */
async function restartBegins(page: Page, server: RunningServer): Promise<number> {
  const port = Number(new URL(server.url).port);
  await server.close();
  await waitForState(page, 'reconnecting');
  await poll(() => page.locator('#status-text').textContent()).toMatch(/^reconnecting/);
  expect(await page.locator('#line-input').isDisabled()).toBe(false); // the draft stays editable meanwhile
  return port;
}

/** Waits until the page, having shown `marker`, holds a second board banner after it. */
async function secondBannerAfter(page: Page, marker: string): Promise<string> {
  await page.waitForFunction(
    (m) => {
      const text = window.serialdeck?.readScreen() ?? '';
      return text.includes(m) && text.lastIndexOf('READY') > text.indexOf(m);
    },
    marker,
    { timeout: WAIT_MS, polling: 50 },
  );
  return readScreen(page);
}

async function portSummary(server: RunningServer, id: string): Promise<PortSummary> {
  const response = await fetch(new URL(`api/ports/${id}`, server.url));
  expect(response.status).toBe(200);
  return (await response.json()) as PortSummary;
}

/** The capture's raw bytes of port `id` in [from, to), with the range the server says it covers. */
async function rawCapture(server: RunningServer, id: string, from: number, to: number): Promise<{ bytes: Buffer; range: string }> {
  const response = await fetch(new URL(`api/ports/${id}/download?format=raw&from=${from}&to=${to}`, server.url));
  expect(response.status).toBe(200);
  return { bytes: Buffer.from(await response.arrayBuffer()), range: response.headers.get('x-serialdeck-range') ?? '' };
}

describe('reconnecting', () => {
  it('after a restart on the same data directory, resumes the same stream exactly: every byte once, no new-stream notice', async () => {
    const dataDir = await keptDataDir();
    const first = await serve({ dataDir });
    const { page, sockets } = await openConsole(first.url);
    const streamBefore = (await portSummary(first, 'demo')).stream.id;
    await talkBeforeRestart(page);

    const port = await restartBegins(page, first);
    const second = await serve({ dataDir, listenPort: port });
    expect((await portSummary(second, 'demo')).stream.id).toBe(streamBefore); // the stream survived the restart
    await waitForState(page, 'open'); // no click: the page came back on its own
    await poll(() => page.locator('#status-text').textContent()).toBe('open');

    // The restarted board's banner follows the old session, once; nothing before it came again.
    const text = await secondBannerAfter(page, 'before-restart-4');
    await sendLine(page, 'echo after-restart');
    const after = await waitForScreen(page, /^after-restart$/m);
    expect(after).not.toContain(STREAM_RESTARTED_MESSAGE);
    expect(after).not.toContain('skipped');
    expect(count(after, 'READY')).toBe(2); // one per boot of the board
    for (const n of [1, 2, 3, 4]) expect(count(after, `before-restart-${n} `), `before-restart-${n}`).toBe(2); // the echo and the reply
    expect(text.indexOf('before-restart-4')).toBeLessThan(text.lastIndexOf('READY'));

    // On the wire: the second socket resumed the same stream at exactly the offset the first ended at.
    await poll(() => sockets.received('demo').bytes.includes('after-restart\r\n')).toBe(true);
    const [before, resumed] = sockets.of('demo');
    expect(sockets.of('demo')).toHaveLength(2);
    expect(resumed?.stream).toBe(before?.stream);
    expect(resumed?.start).toBe(before?.end);
    const received = sockets.received('demo');
    expect(received.breaks).toEqual([]);
    expect(received.from).toBe(0);
    // Byte for byte what the capture holds for those offsets: nothing lost, nothing twice.
    const capture = await rawCapture(second, 'demo', received.from, received.to);
    expect(capture.range).toBe(`${received.from}-${received.to}`);
    expect(capture.bytes.equals(received.bytes)).toBe(true);
  });

  it('after a restart on a fresh data directory, reconnects by itself, says the stream is new, and shows the new board', async () => {
    const first = await serve(); // each startServer() without a dataDir gets a new, empty one
    const { page, sockets } = await openConsole(first.url);
    await talkBeforeRestart(page);

    const port = await restartBegins(page, first);
    await serve({ listenPort: port });
    await waitForState(page, 'open'); // no click: the page came back on its own
    await poll(() => page.locator('#status-text').textContent()).toBe('open');

    // The page says the stream is new, then shows the new board's replayed banner below the old session.
    const notice = `[serialdeck: ${STREAM_RESTARTED_MESSAGE}]`;
    const text = await secondBannerAfter(page, notice);
    expect(text.indexOf('before-restart-4')).toBeLessThan(text.indexOf(notice));
    expect(count(text, 'READY')).toBe(2);
    expect(count(text, notice)).toBe(1);
    const [old, fresh] = sockets.of('demo');
    expect(fresh?.stream).toBeTruthy();
    expect(fresh?.stream).not.toBe(old?.stream);

    // And it works: what is typed now reaches the new board.
    await sendLine(page, 'echo after-restart');
    await waitForScreen(page, /^after-restart$/m);
  });

  it('the Reconnect button resumes where the page left off, repeating nothing', async () => {
    const server = await serve();
    const { page, sockets } = await openConsole(server.url);
    await sendLine(page, 'echo once-only');
    await waitForScreen(page, /^once-only$/m);
    const offset = await page.evaluate(() => window.serialdeck?.offset() ?? -1);

    // Record every state the pill passes through, so a quick drop-and-reopen cannot slip between polls.
    await page.evaluate(() => {
      const pill = document.getElementById('status');
      const seen: string[] = [];
      Object.assign(window, { seenStates: seen });
      if (pill) new MutationObserver(() => seen.push(pill.dataset.state ?? '')).observe(pill, { attributes: true });
    });
    await page.locator('#reconnect').click();
    await page.waitForFunction(
      () => {
        const seen = (window as unknown as { seenStates: string[] }).seenStates;
        return seen.some((s) => s !== 'open') && window.serialdeck?.state() === 'open';
      },
      undefined,
      { timeout: WAIT_MS, polling: 50 },
    );
    await sendLine(page, 'echo after-reconnect');
    const text = await waitForScreen(page, /^after-reconnect$/m);
    expect(await page.evaluate(() => window.serialdeck?.offset() ?? -1)).toBeGreaterThan(offset);
    expect(count(text, 'once-only')).toBe(2); // the echoed command and the reply, not replayed again
    expect(count(text, 'READY')).toBe(1);
    expect(text).not.toContain(STREAM_RESTARTED_MESSAGE);

    await poll(() => sockets.received('demo').bytes.includes('after-reconnect\r\n')).toBe(true);
    expect(sockets.of('demo')).toHaveLength(2);
    const received = sockets.received('demo');
    expect(received.breaks).toEqual([]);
    const capture = await rawCapture(server, 'demo', received.from, received.to);
    expect(capture.bytes.equals(received.bytes)).toBe(true);
  });
});
