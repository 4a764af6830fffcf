// The sensor board's reading formats (firmware/README.md, "Formats") on the emulated Uno: after
// `format json|plotter|csv`, every reading line (timed, and `read`) parses as that format. The
// checkers are deliberately tiny and independent of serialdeck's own record parsers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOARD_BANNER,
  BOARD_PROMPT,
  openPtyTerminal,
  startEmulatedUno,
  type EmulatedUno,
  type PtyTerminal,
} from '../helpers/emulated-uno.js';
import { FIELDS, parseCsvLines, parseJsonLine, parsePlotterLine, type Values } from '../helpers/reading-checkers.js';

/** An interval long enough that no timed reading interleaves with the command exchanges. */
const QUIET_INTERVAL_MS = 3600000;
/** A fast interval to collect timed readings with. */
const FAST_INTERVAL_MS = 100;
const CSV_HEADER = FIELDS.join(',');
/** The firmware repeats the CSV header before every this many rows (firmware/README.md). */
const CSV_HEADER_EVERY_ROWS = 10;

/** The simulated values drift around 21.4 °C, 40 %, 420 ppm, 101325 Pa (firmware/README.md). */
function expectPlausible(values: Values): void {
  expect(Object.keys(values)).toEqual(FIELDS);
  expect(values.temp).toBeGreaterThan(15);
  expect(values.temp).toBeLessThan(28);
  expect(values.humidity).toBeGreaterThanOrEqual(20);
  expect(values.humidity).toBeLessThanOrEqual(60);
  expect(values.ppm).toBeGreaterThan(300);
  expect(values.ppm).toBeLessThan(550);
  expect(values.pressure).toBeGreaterThan(100000);
  expect(values.pressure).toBeLessThan(102600);
}

let uno: EmulatedUno | undefined;
let term: PtyTerminal;

/** Sends `line`; resolves with everything up to the next prompt: echo, CRLF, reply, prompt. */
async function command(line: string): Promise<string> {
  await term.write(`${line}\n`);
  return term.readUntil(`\r\n${BOARD_PROMPT}`);
}

/** The reply lines of `command(line)`, without the echo and the prompt. */
async function replyLines(line: string): Promise<string[]> {
  const lines = (await command(line)).split('\r\n');
  expect(lines[0]).toBe(line);
  expect(lines.at(-1)).toBe(BOARD_PROMPT);
  return lines.slice(1, -1);
}

/** Runs the board at FAST_INTERVAL_MS until `count` non-empty lines arrived; returns them, then quiets it again. */
async function timedLines(count: number): Promise<string[]> {
  expect(await replyLines(`interval ${FAST_INTERVAL_MS}`)).toEqual([`OK interval ${FAST_INTERVAL_MS}`]);
  const lines: string[] = [];
  while (lines.length < count) {
    const text = await term.readUntil(/[^\r\n]+\r\n/);
    lines.push(...text.split('\r\n').filter((l) => l !== ''));
  }
  await term.write(`interval ${QUIET_INTERVAL_MS}\n`);
  await term.readUntil(`OK interval ${QUIET_INTERVAL_MS}\r\n${BOARD_PROMPT}`);
  return lines;
}

beforeAll(async () => {
  uno = await startEmulatedUno();
  term = await openPtyTerminal(uno.path);
  expect(await term.readUntil(BOARD_PROMPT)).toBe(`${BOARD_BANNER}${BOARD_PROMPT}`);
  expect(await replyLines(`interval ${QUIET_INTERVAL_MS}`)).toEqual([`OK interval ${QUIET_INTERVAL_MS}`]);
});

afterAll(async () => {
  await term?.close();
  await uno?.stop();
});

describe('sensor-board reading formats on the emulated Uno', () => {
  it('starts in json, lists format in help, and refuses an unknown format', async () => {
    expect(await replyLines('format')).toEqual(['OK format json']);
    const help = await replyLines('help');
    expect(help.some((line) => line.startsWith('  format '))).toBe(true);
    for (const bad of ['format xml', 'format JSON', 'format csv json']) {
      expect(await replyLines(bad)).toEqual(['ERR usage: format json|plotter|csv']);
    }
    expect(await replyLines('format')).toEqual(['OK format json']);
  });

  it('json: every reading line is a JSON object of the four fields', async () => {
    expect(await replyLines('format json')).toEqual(['OK format json']);
    const [read] = await replyLines('read');
    expectPlausible(parseJsonLine(read!));
    const lines = await timedLines(5);
    for (const line of lines) expectPlausible(parseJsonLine(line));
  });

  it('plotter: every reading line is space-separated label:value pairs', async () => {
    expect(await replyLines(' format  plotter ')).toEqual(['OK format plotter']);
    const read = await replyLines('read');
    expect(read).toHaveLength(1);
    expect(read[0]).toMatch(/^temp:-?\d+\.\d humidity:\d+ ppm:\d+ pressure:\d+$/);
    expectPlausible(parsePlotterLine(read[0]!));
    const lines = await timedLines(5);
    for (const line of lines) {
      expect(line).not.toContain('{');
      expectPlausible(parsePlotterLine(line));
    }
    // The format stays through other commands.
    expect(await replyLines('status')).toHaveLength(1);
    expect(await replyLines('format')).toEqual(['OK format plotter']);
  });

  it('csv: a header when chosen or asked for, numeric rows of its width, and the header again every 10 rows', async () => {
    const chosen = await replyLines('format csv');
    expect(chosen).toEqual(['OK format csv', CSV_HEADER]);
    const read = await replyLines('read');
    expect(read).toHaveLength(1);
    expect(read[0]).toMatch(/^-?\d+\.\d,\d+,\d+,\d+$/);
    // 1 row (read) + 24 timed ones: headers before the 11th and the 21st row, so 26 timed lines.
    const timed = await timedLines(24 + 2);
    const { rows, runs } = parseCsvLines([CSV_HEADER, ...read, ...timed]);
    expect(rows).toHaveLength(25);
    expect(runs).toEqual([CSV_HEADER_EVERY_ROWS, CSV_HEADER_EVERY_ROWS, 5]);
    for (const row of rows) expectPlausible(row);
    // Asking again (format alone, or choosing csv again) prints the header and restarts the count.
    expect(await replyLines('format')).toEqual(['OK format csv', CSV_HEADER]);
    const more = await timedLines(CSV_HEADER_EVERY_ROWS + 1);
    expect(parseCsvLines([CSV_HEADER, ...more]).runs).toEqual([CSV_HEADER_EVERY_ROWS, 0]);
  });

  it('keeps the format until a reset, which brings back json', async () => {
    expect(await replyLines('format csv')).toEqual(['OK format csv', CSV_HEADER]);
    await term.close();
    // Reopening the pty resets the chip (the Uno's DTR auto-reset).
    term = await openPtyTerminal(uno!.path);
    expect(await term.readUntil(BOARD_PROMPT)).toBe(`${BOARD_BANNER}${BOARD_PROMPT}`);
    // The reset brought back the 1000 ms interval too: quiet it before the first timed reading.
    expect(await replyLines(`interval ${QUIET_INTERVAL_MS}`)).toEqual([`OK interval ${QUIET_INTERVAL_MS}`]);
    expect(await replyLines('format')).toEqual(['OK format json']);
    const [read] = await replyLines('read');
    expectPlausible(parseJsonLine(read!));
  });
});
