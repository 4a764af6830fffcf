// The emulated Uno as a device (firmware/README.md, "The emulated Uno"): it prints its pty path,
// links it on request, resets the chip when a client opens the pty (or not), drops output while
// nobody has the pty open, keeps wall-clock time, fails clearly, and ends by pid.
import { lstat, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BOARD_BANNER,
  BOARD_PROMPT,
  openPtyTerminal,
  startEmulatedUno,
  type EmulatedUno,
  type PtyTerminal,
} from '../helpers/emulated-uno.js';

/** The emulator's default bootloader wait after a reset on open, in ms (firmware/README.md). */
const BOOTLOADER_MS = 500;
/** How long the pty stays closed while the board keeps printing: the scenario, not a synchronisation. */
const CLOSED_FOR_MS = 1_000;

const running: EmulatedUno[] = [];
const terminals: PtyTerminal[] = [];
const dirs: string[] = [];

async function start(options: Parameters<typeof startEmulatedUno>[0] = {}): Promise<EmulatedUno> {
  const uno = await startEmulatedUno(options);
  running.push(uno);
  return uno;
}

async function open(path: string): Promise<PtyTerminal> {
  const term = await openPtyTerminal(path);
  terminals.push(term);
  return term;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'serialdeck-uno-'));
  dirs.push(dir);
  return dir;
}

/** Sends `status` and returns its uptime_ms, read from the reply. */
async function uptimeMs(term: PtyTerminal): Promise<number> {
  await term.write('status\n');
  const reply = await term.readUntil(/status uptime_ms=\d+ [^\r]*\r\n> /);
  return Number(/uptime_ms=(\d+)/.exec(reply)?.[1]);
}

afterEach(async () => {
  await Promise.all(terminals.splice(0).map((t) => t.close()));
  await Promise.all(running.splice(0).map((u) => u.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('emulated Uno', () => {
  it('prints its pty path, links it on request, and removes the link when stopped by pid', async () => {
    const link = join(await tempDir(), 'ttyACM0');
    const uno = await start({ link });
    expect(uno.path).toMatch(/^\/dev\/pts\/\d+$/);
    expect(await readlink(link)).toBe(uno.path);
    const term = await open(link);
    expect(await term.readUntil(BOARD_PROMPT)).toBe(`${BOARD_BANNER}${BOARD_PROMPT}`);
    await uno.stop();
    expect(() => process.kill(uno.pid, 0)).toThrow(/ESRCH/);
    await expect(lstat(link)).rejects.toThrow(/ENOENT/);
  });

  it('resets the chip on every open, like the DTR auto-reset', async () => {
    const uno = await start();
    const first = await open(uno.path);
    await first.readUntil(`${BOARD_BANNER}${BOARD_PROMPT}`);
    await first.write('led on\n');
    await first.readUntil('OK led on\r\n> ');
    await first.close();
    const second = await open(uno.path);
    expect(await second.readUntil(BOARD_PROMPT)).toBe(`${BOARD_BANNER}${BOARD_PROMPT}`);
    await second.write('status\n');
    expect(await second.readUntil('\r\n> ')).toContain(' led=off '); // state did not survive the reset
  });

  it('holds the chip in reset for the bootloader wait after an open, dropping what arrives meanwhile', async () => {
    const uno = await start();
    const term = await open(uno.path);
    const opened = performance.now();
    await term.write('led on\n'); // eaten by the "bootloader", as on a real Uno
    expect(await term.readUntil(BOARD_PROMPT)).toBe(`${BOARD_BANNER}${BOARD_PROMPT}`);
    expect(performance.now() - opened).toBeGreaterThan(BOOTLOADER_MS * 0.9);
    await term.write('status\n');
    expect(await term.readUntil('\r\n> ')).toContain(' led=off ');
  });

  it('with --no-reset-on-open, keeps running across clients and drops what it printed while nobody listened', async () => {
    const uno = await start({ resetOnOpen: false, verbose: true });
    const first = await open(uno.path);
    // No reset on open: the banner was printed before anyone listened, and is gone.
    await first.write('interval 50\n');
    const reply = await first.readUntil('OK interval 50\r\n> ');
    expect(reply).not.toContain('READY');
    const uptimeBefore = await uptimeMs(first);
    await first.close();
    // ~20 readings are printed while the pty is closed.
    await new Promise((resolve) => setTimeout(resolve, CLOSED_FOR_MS));
    const second = await open(uno.path);
    const uptimeAfter = await uptimeMs(second);
    expect(uptimeAfter - uptimeBefore).toBeGreaterThan(CLOSED_FOR_MS * 0.9); // the same run, still going
    // What reached the new client before the status reply: only readings printed since it opened.
    const readingsBefore = second.received().split('\r\n').filter((l) => l.startsWith('{')).length;
    expect(readingsBefore).toBeLessThan(CLOSED_FOR_MS / 50 / 2);
    expect(uno.stderr()).toContain('client closed');
  });

  it('keeps wall-clock time: uptime advances as the test clock does', async () => {
    const uno = await start();
    const term = await open(uno.path);
    await term.readUntil(`${BOARD_BANNER}${BOARD_PROMPT}`);
    const wallBefore = performance.now();
    const before = await uptimeMs(term);
    await term.readUntil(/\{[^\r\n]*\}\r\n/); // the first reading, 1000 ms after boot
    await term.readUntil(/\{[^\r\n]*\}\r\n/); // and the second
    const after = await uptimeMs(term);
    const wallMs = performance.now() - wallBefore;
    // Never faster than the wall clock (small margin: the status replies' own transit);
    // slower only on a badly overloaded machine, and then not by more than half.
    expect(after - before).toBeLessThanOrEqual(wallMs + 5);
    expect(after - before).toBeGreaterThan(wallMs * 0.5);
    expect(after - before).toBeGreaterThan(900);
  });

  it('rejects a file that is not firmware, with the emulator reason', async () => {
    const bogus = join(await tempDir(), 'not-firmware.elf');
    await writeFile(bogus, 'hello');
    await expect(startEmulatedUno({ elf: bogus })).rejects.toThrow(/exited \(1\) before it was ready.*cannot load/s);
  });
});
