// Several ports on one server, as a person picks between them: the picker lists every port with its
// state, picking one switches the console without reloading the page (and the URL's #/<id> follows),
// Back returns to the port before, and a port whose device is pulled shows as waiting in the picker.
// The demo board and a socat pty pair (the test plays the board on its other end) are the two ports.
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PortSummary } from '../../server/wire/api.js';
import type { RunningServer } from '../../server/start.js';
import {
  poll,
  readScreen,
  sendLine,
  waitForScreen,
  waitForState,
  type OpenedPage,
} from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';
import type { PtyPair } from '../helpers/pty-pair.js';

// An exception thrown inside the page fails the test that caused it, whatever it asserted.
const suite = useBrowser({ failOnPageErrors: true });
let pair: PtyPair | undefined;
let server: RunningServer | undefined;

beforeEach(async () => {
  pair = await suite.pty();
  server = await suite.serve({ ports: ['demo', { path: pair.devicePath, name: 'bench-pty' }] });
});

const open = (url: string): Promise<OpenedPage> => suite.open(url);

/** The picker's options as [value, text], in order. */
function pickerOptions(page: Page): Promise<Array<[string, string]>> {
  return page.locator('#port option').evaluateAll((options) =>
    options.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? ''] as [string, string]),
  );
}

/** The text of the picker's option for port `id` ('' when it is not listed). */
async function optionText(page: Page, id: string): Promise<string> {
  return (await pickerOptions(page)).find(([value]) => value === id)?.[1] ?? '';
}

const hashOf = (page: Page) => page.evaluate(() => window.location.hash);
const shownPort = (page: Page) => page.evaluate(() => window.serialdeck?.port() ?? '');

async function streamEnd(id: string): Promise<number> {
  if (!server) throw new Error('no server');
  const response = await fetch(new URL(`api/ports/${id}`, server.url));
  return ((await response.json()) as PortSummary).stream.end;
}

describe('picking a port', () => {
  it('lists both ports with their state; picking the pty switches the console without a reload; Back returns to the demo', async () => {
    if (!pair || !server) throw new Error('hooks did not start the pty pair and server');
    const { page, sockets } = await open(server.url);
    await waitForState(page, 'open');
    await waitForScreen(page, 'READY');
    // The first port is shown, and the URL says which.
    expect(await shownPort(page)).toBe('demo');
    await poll(() => hashOf(page)).toBe('#/demo');

    // A native select named "Port", listing both ports in the server's order by name (a state only where it is not open).
    const picker = page.getByRole('combobox', { name: /^Port/ });
    expect(await picker.getAttribute('id')).toBe('port');
    await poll(() => pickerOptions(page)).toEqual([
      ['demo', 'demo'],
      ['bench-pty', 'bench-pty'],
    ]);
    expect(await picker.isEnabled()).toBe(true);
    expect(await picker.inputValue()).toBe('demo');
    await poll(() => page.locator('#port-dot').getAttribute('data-tone')).toBe('ok');

    // Pick the pty. A reload would lose this marker; the console must switch in place.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    await picker.selectOption('bench-pty');
    await poll(() => hashOf(page)).toBe('#/bench-pty');
    await poll(() => shownPort(page)).toBe('bench-pty');
    await waitForState(page, 'open');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page.locator('#device').textContent()).toBe(pair.devicePath);

    // What the board writes on the pty appears; the demo's output is gone and stays gone.
    await pair.board.write('bench says hi\r\nbench> ');
    let text = await waitForScreen(page, /^bench says hi\nbench> $/m);
    expect(text).not.toContain('READY');
    const demoEnd = await streamEnd('demo');
    await poll(() => streamEnd('demo')).toBeGreaterThan(demoEnd); // the demo board said more meanwhile…
    await pair.board.write('\r\nstill bench\r\n');
    text = await waitForScreen(page, /^still bench$/m);
    expect(text).not.toMatch(/^\{"temp"/m); // …and none of it reached this console
    expect(text).not.toContain('serialdeck demo board');
    // And typing goes to the pty now.
    await sendLine(page, 'to-the-bench');
    expect(await pair.board.readUntil('to-the-bench\n')).toBe('to-the-bench\n');
    // On the wire: one socket per port, the pty's opened after the demo's.
    expect(sockets.sockets.map((s) => s.port)).toEqual(['demo', 'bench-pty']);
    expect(sockets.sockets[0]?.closed).toBe(true);

    // Back: the demo again, in the same document, with the pty's output gone.
    await page.goBack();
    await poll(() => hashOf(page)).toBe('#/demo');
    await poll(() => shownPort(page)).toBe('demo');
    await waitForState(page, 'open');
    expect(await picker.inputValue()).toBe('demo');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await waitForScreen(page, /^\{"temp"/m); // the demo's readings flow again
    text = await readScreen(page);
    expect(text).not.toContain('bench says hi');
    expect(text).toMatch(/back on demo/); // the page says it resumed where it left the demo
    // Resumed, not replayed: the demo's socket after Back starts where the first one ended.
    const demoSockets = sockets.of('demo');
    expect(demoSockets).toHaveLength(2);
    expect(demoSockets[1]?.start).toBe(demoSockets[0]?.end);
    expect(demoSockets[1]?.stream).toBe(demoSockets[0]?.stream);
  });

  it('shows a pulled device as waiting in the picker, and open again when it is back', async () => {
    if (!pair || !server) throw new Error('hooks did not start the pty pair and server');
    const { page } = await open(server.url);
    await waitForState(page, 'open');
    await poll(() => optionText(page, 'bench-pty')).toBe('bench-pty'); // open: no state word

    // The demo is shown; the pty's state reaches the picker from the server's port list.
    await pair.unplug();
    await poll(() => optionText(page, 'bench-pty')).toMatch(/^bench-pty\b.*\bwaiting\b/);
    expect(await optionText(page, 'demo')).toBe('demo'); // shown: its state is in the pill
    expect(await page.locator('#port-dot').getAttribute('data-tone')).toBe('ok'); // the dot is the shown port's

    // Picking the waiting port shows its state in the status pill and the dot.
    await page.selectOption('#port', 'bench-pty');
    await poll(() => shownPort(page)).toBe('bench-pty');
    await poll(() => page.locator('#status').getAttribute('data-state')).toMatch(/waiting/);
    await poll(() => page.locator('#port-dot').getAttribute('data-tone')).toBe('pending');

    await pair.replug();
    await waitForState(page, 'open', 15_000);
    expect(await optionText(page, 'bench-pty')).toBe('bench-pty');
    await pair.board.write('back again\r\n');
    await waitForScreen(page, /^back again$/m);
  });
});
