// The capture-paused warning, on a real full disk: the server's data directory is on a 1 MiB tmpfs (the
// tests run as root), a ballast file fills it, and the board on a socat pty keeps talking. The page warns
// that capture is paused and why, the console keeps working, and the warning goes once the ballast is
// deleted and the capture resumes by itself.
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, poll, screenshot, waitForScreen, waitForState } from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';
import { fillDisk, mountSmallDisk, unmountSmallDisk } from '../helpers/small-disk.js';

/** Wait for the capture to pause or resume, in ms: it flushes every second and retries a full disk every 2 s; the rest is margin. */
const CAPTURE_CHANGE_MS = 15_000;

const suite = useBrowser();
let mountPoint = '';

beforeAll(async () => {
  mountPoint = await mountSmallDisk(1, 'serialdeck-e2e-full-');
});

afterAll(async () => {
  await unmountSmallDisk(mountPoint);
});


/** `count` numbered lines of about 64 bytes: enough to need disk pages a full tmpfs no longer has. */
function lines(tag: string, count: number): string {
  let text = '';
  for (let n = 0; n < count; n++) text += `${tag}-${String(n).padStart(5, '0')} ${'.'.repeat(48)}\r\n`;
  return text;
}

describe('capture paused warning', () => {
  it('warns with the reason while the data directory is full, keeps the console working, and clears once space returns', async () => {
    const pair = await suite.pty();
    const server = await suite.serve({ dataDir: join(mountPoint, 'data'), ports: [{ path: pair.devicePath, name: 'bench' }] });
    const opened = await suite.open(server.url);
    const { page } = opened;
    await waitForState(page, 'open');
    await pair.board.write('capturing\r\n');
    await waitForScreen(page, /^capturing$/m);
    const warning = page.locator('#capture-warning');
    expect(await warning.isVisible()).toBe(false);

    // The disk fills up; the board goes on talking.
    const ballast = await fillDisk(mountPoint);
    await pair.board.write(lines('while-full', 1024));
    await warning.waitFor({ state: 'visible', timeout: CAPTURE_CHANGE_MS });
    expect(await warning.getAttribute('role')).toBe('status');
    expect(await warning.textContent()).toMatch(/^capture paused: .*(ENOSPC|no space left)/i);
    await poll(() => page.locator('#port option[value="bench"]').textContent()).toMatch(/capture paused/);
    expect(await page.locator('#port-dot').getAttribute('data-capture')).toBe('paused');
    // The console is not the capture: it keeps showing the board.
    await waitForScreen(page, /^while-full-01023 \.+$/m);
    await pair.board.write('still live\r\n');
    await waitForScreen(page, /^still live$/m);
    // How the warning looks, at desktop and phone width: inside the viewport, nothing scrolling sideways.
    await screenshot(page, 'capture-warning-desktop');
    await page.setViewportSize(PHONE);
    await poll(() => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    const box = await warning.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= PHONE.width).toBe(true);
    await screenshot(page, 'capture-warning-phone');

    // Space returns: the capture resumes by itself, and the warning goes.
    await unlink(ballast);
    await warning.waitFor({ state: 'hidden', timeout: CAPTURE_CHANGE_MS });
    await poll(() => page.locator('#port option[value="bench"]').textContent()).not.toMatch(/capture paused/);
    expect(await page.locator('#port-dot').getAttribute('data-capture')).not.toBe('paused');
    await pair.board.write('captured again\r\n');
    await waitForScreen(page, /^captured again$/m);
    expect(opened.errors.map(String)).toEqual([]);
  });
});
