// The sensor-board firmware's serial contract (firmware/README.md), checked byte for byte on the
// emulated Uno through its pty: banner, prompt, echo, line endings, every command and its reply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOARD_BANNER,
  BOARD_PROMPT,
  openPtyTerminal,
  READING_LINE,
  readingsIn,
  startEmulatedUno,
  type EmulatedUno,
  type PtyTerminal,
} from '../helpers/emulated-uno.js';

/** An interval long enough that no timed reading interleaves with the command exchanges. */
const QUIET_INTERVAL_MS = 3600000;

let uno: EmulatedUno | undefined;
let term: PtyTerminal;

/** Sends `line` + `ending`; resolves with everything up to the next prompt: echo, CRLF, reply, prompt. */
async function command(line: string, ending = '\n'): Promise<string> {
  await term.write(line + ending);
  return term.readUntil(`\r\n${BOARD_PROMPT}`);
}

beforeAll(async () => {
  uno = await startEmulatedUno();
  term = await openPtyTerminal(uno.path);
  // Opening the pty resets the chip, like a Uno's DTR auto-reset: the banner comes first.
  expect(await term.readUntil(BOARD_PROMPT)).toBe(`${BOARD_BANNER}${BOARD_PROMPT}`);
  expect(await command(`interval ${QUIET_INTERVAL_MS}`)).toBe(
    `interval ${QUIET_INTERVAL_MS}\r\nOK interval ${QUIET_INTERVAL_MS}\r\n${BOARD_PROMPT}`,
  );
});

afterAll(async () => {
  await term?.close();
  await uno?.stop();
});

describe('sensor-board firmware on the emulated Uno', () => {
  it('lists every command in help', async () => {
    const reply = await command('help');
    const lines = reply.split('\r\n');
    expect(lines[0]).toBe('help');
    expect(lines[1]).toBe('commands (end a line with LF, CR or CRLF):');
    for (const name of ['help', 'status', 'interval <ms>', 'led on|off', 'echo <text>', 'read']) {
      expect(lines.some((line) => line.startsWith(`  ${name} `))).toBe(true);
    }
  });

  it('reports status, with the sensors absent and more than 1 KiB of RAM free', async () => {
    const reply = await command('status');
    const match =
      /^status\r\nstatus uptime_ms=(\d+) interval_ms=3600000 led=off dht11=absent mq135=absent bmp180=absent free_ram=(\d+)\r\n> $/.exec(
        reply,
      );
    expect(match, reply).not.toBeNull();
    expect(Number(match?.[2])).toBeGreaterThan(1024);
  });

  it('switches the LED and refuses anything but on and off', async () => {
    expect(await command('led on')).toBe('led on\r\nOK led on\r\n> ');
    expect(await command('status')).toContain(' led=on ');
    expect(await command('led off')).toBe('led off\r\nOK led off\r\n> ');
    expect(await command('led blink')).toBe('led blink\r\nERR usage: led on|off\r\n> ');
  });

  it('sets, reports and range-checks the interval', async () => {
    expect(await command('interval')).toBe(`interval\r\nOK interval ${QUIET_INTERVAL_MS}\r\n> `);
    for (const bad of ['interval 49', 'interval 3600001', 'interval abc', 'interval -5', 'interval 99999999999']) {
      expect(await command(bad)).toBe(`${bad}\r\nERR usage: interval <ms>, 50..3600000\r\n> `);
    }
    expect(await command(`interval  ${QUIET_INTERVAL_MS} `)).toContain(`OK interval ${QUIET_INTERVAL_MS}\r\n`);
  });

  it('echoes text exactly, inner spaces and all', async () => {
    expect(await command('echo hello,  world!')).toBe('echo hello,  world!\r\nhello,  world!\r\n> ');
    expect(await command('echo')).toBe('echo\r\n\r\n> ');
  });

  it('answers read with one JSON reading', async () => {
    const reply = await command('read');
    const lines = reply.split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('read');
    expect(lines[1]).toMatch(READING_LINE);
    expect(lines[2]).toBe('> ');
  });

  it('names an unknown command', async () => {
    expect(await command('frobnicate now')).toBe('frobnicate now\r\nERR unknown command: frobnicate (try help)\r\n> ');
  });

  it('ends a line on LF, on CR and on CRLF, each exactly once', async () => {
    // Sequential reads: an extra line end (the LF of a CRLF taken as a second one) would show up
    // as an empty "\r\n> " before the next echo, and break the next exact match.
    expect(await command('echo via-crlf', '\r\n')).toBe('echo via-crlf\r\nvia-crlf\r\n> ');
    expect(await command('echo via-cr', '\r')).toBe('echo via-cr\r\nvia-cr\r\n> ');
    expect(await command('echo via-lf', '\n')).toBe('echo via-lf\r\nvia-lf\r\n> ');
    // All three in one write, and the CR and LF of a CRLF arriving in separate writes.
    await term.write('echo one\r\necho two\recho three\n');
    expect(await term.readUntil('three\r\n> ')).toBe(
      'echo one\r\none\r\n> echo two\r\ntwo\r\n> echo three\r\nthree\r\n> ',
    );
    await term.write('echo split\r');
    expect(await term.readUntil('split\r\n> ')).toBe('echo split\r\nsplit\r\n> ');
    // The LF completing that CRLF comes first in the next write: it ends nothing.
    expect(await command('\necho after-split')).toBe('echo after-split\r\nafter-split\r\n> ');
  });

  it('answers an empty line with a new prompt', async () => {
    expect(await command('')).toBe('\r\n> ');
  });

  it('takes 64 characters, and reports a longer line instead of cutting it', async () => {
    const longest = `echo ${'y'.repeat(59)}`;
    expect(longest).toHaveLength(64);
    expect(await command(longest)).toBe(`${longest}\r\n${'y'.repeat(59)}\r\n> `);
    const tooLong = `${longest}z`;
    expect(await command(tooLong)).toBe(`${tooLong}\r\nERR line too long (max 64 characters)\r\n> `);
  });

  it('rubs out with backspace and DEL, and drops the line on Ctrl+C', async () => {
    expect(await command('echo abX\x7fc\x08d')).toBe('echo abX\b \bc\b \bd\r\nabd\r\n> ');
    await term.write('led on\x03');
    expect(await term.readUntil('^C\r\n> ')).toBe('led on^C\r\n> ');
    expect(await command('status')).toContain(' led=off ');
  });

  it('prints JSON readings at the interval, each on a line of its own', async () => {
    expect(await command('interval 200')).toBe('interval 200\r\nOK interval 200\r\n> ');
    const arrivals: number[] = [];
    let text = '';
    for (let i = 0; i < 5; i++) {
      text += await term.readUntil(/\{[^\r\n]*\}\r\n/);
      arrivals.push(performance.now());
    }
    const lines = text.split('\r\n').filter((line) => line.startsWith('{'));
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(READING_LINE);
    const readings = readingsIn(text);
    for (const r of readings) {
      // Simulated values drift around 21.4 °C, 40 %, 420 ppm, 101325 Pa (firmware/README.md).
      expect(r.temp).toBeGreaterThan(15);
      expect(r.temp).toBeLessThan(28);
      expect(r.humidity).toBeGreaterThanOrEqual(20);
      expect(r.humidity).toBeLessThanOrEqual(60);
      expect(r.ppm).toBeGreaterThan(300);
      expect(r.ppm).toBeLessThan(550);
      expect(r.pressure).toBeGreaterThan(100000);
      expect(r.pressure).toBeLessThan(102600);
    }
    // The values drift: not five identical readings.
    expect(new Set(readings.map((r) => JSON.stringify(r))).size).toBeGreaterThan(1);
    // The emulator keeps wall-clock time, so four intervals cannot pass faster than 800 ms.
    // (A lower bound only: a loaded machine may run it slower, never faster.)
    expect(arrivals[4]! - arrivals[0]!).toBeGreaterThan(4 * 200 * 0.9);
    // The prompt left on screen is moved out of the way: "> " then CRLF, never "> {".
    expect(text).not.toContain('> {');
    await term.write(`interval ${QUIET_INTERVAL_MS}\n`);
    await term.readUntil(`OK interval ${QUIET_INTERVAL_MS}\r\n> `);
  });

  it('keeps a reading off a half-typed line, then shows the line again', async () => {
    expect(await command('interval 50')).toBe('interval 50\r\nOK interval 50\r\n> ');
    await term.write('echo half');
    await term.readUntil('echo half');
    // The next reading ends the half-typed line, prints itself, and re-shows prompt and text.
    const around = await term.readUntil(/\}\r\n> echo half/);
    expect(around).toMatch(/^\r\n\{[^\r\n]*\}\r\n> echo half$/);
    await term.write(`\ninterval ${QUIET_INTERVAL_MS}\n`);
    const rest = await term.readUntil(`OK interval ${QUIET_INTERVAL_MS}\r\n> `);
    expect(rest).toContain('\r\nhalf\r\n');
  });
});
