// The demo board's reading formats, as the sensor-board sketch's (firmware/README.md, "Formats"):
// after `format json|plotter|csv`, every reading line (timed, and `read`) parses as that format.
// The checkers are deliberately tiny and independent of serialdeck's own record parsers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_BOOT_MS, DEMO_PROMPT, DemoBoard } from '../../server/serial/devices/demo/demo-board.js';
import {
  CSV_HEADER,
  DEMO_CSV_HEADER_EVERY_ROWS,
  formatReading,
  ReadingPrinter,
} from '../../server/serial/devices/demo/demo-formats.js';
import { FIELDS, parseCsvLines, parseJsonLine, parsePlotterLine, type Values } from '../helpers/reading-checkers.js';

const INTERVAL_MS = 100;
const RED = '\x1b[31m';

/** The demo's values stay within their bands (demo-sensors.ts). */
function expectPlausible(values: Values): void {
  expect(Object.keys(values)).toEqual(FIELDS);
  expect(values.temp).toBeGreaterThanOrEqual(17);
  expect(values.temp).toBeLessThanOrEqual(27);
  expect(values.humidity).toBeGreaterThanOrEqual(25);
  expect(values.ppm).toBeGreaterThanOrEqual(350);
  expect(values.pressure).toBeGreaterThanOrEqual(100500);
}

/** The text lines of board output: ANSI sequences and prompts dropped, split on line endings. */
function linesOf(text: string): string[] {
  return text
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .split(/\r\n|\r|\n/)
    .filter((line) => line !== '' && line !== DEMO_PROMPT);
}

const boards: DemoBoard[] = [];

/** A board with telemetry off, booted; `type()` returns the reply lines of a command (its echo dropped). */
function boot() {
  let output = '';
  let seed = 7;
  const board = new DemoBoard(
    { data: (chunk) => (output += new TextDecoder().decode(chunk)), end: () => undefined },
    // A seeded walk, so the values move (and temp takes whole and fractional values).
    { intervalMs: 0, random: () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646 },
  );
  boards.push(board);
  const take = () => {
    const text = output;
    output = '';
    return text;
  };
  vi.advanceTimersByTime(DEMO_BOOT_MS);
  take();
  const type = async (line: string): Promise<string[]> => {
    await board.write(new TextEncoder().encode(`${line}\r`));
    const text = take();
    expect(text.endsWith(DEMO_PROMPT)).toBe(true);
    const lines = linesOf(text);
    expect(lines[0]).toBe(line);
    return lines.slice(1);
  };
  /** Runs telemetry until `count` lines arrived, then stops it; returns them. */
  const timed = async (count: number): Promise<string[]> => {
    expect(await type(`interval ${INTERVAL_MS}`)).toEqual([`interval ${INTERVAL_MS} ms`]);
    const lines: string[] = [];
    while (lines.length < count) {
      vi.advanceTimersByTime(INTERVAL_MS);
      lines.push(...linesOf(take()));
    }
    expect(await type('interval 0')).toEqual(['telemetry stopped']);
    return lines;
  };
  return { board, type, timed, take };
}

beforeEach(() => vi.useFakeTimers());
afterEach(async () => {
  await Promise.all(boards.splice(0).map((b) => b.close()));
  vi.useRealTimers();
});

describe('demo board reading formats', () => {
  it('starts in json, lists format in help, and refuses an unknown format', async () => {
    const { type } = boot();
    expect(await type('format')).toEqual(['format json']);
    expect((await type('help')).some((line) => line.startsWith('  format '))).toBe(true);
    for (const bad of ['format xml', 'format JSON', 'format csv json']) {
      const reply = await type(bad);
      expect(reply).toEqual(['error: usage: format json|plotter|csv']);
    }
  });

  it('answers a bad format in red, like the other commands', async () => {
    let output = '';
    const board = new DemoBoard({ data: (c) => (output += new TextDecoder().decode(c)), end: () => undefined }, { intervalMs: 0 });
    boards.push(board);
    vi.advanceTimersByTime(DEMO_BOOT_MS);
    output = '';
    await board.write(new TextEncoder().encode('format yaml\r'));
    expect(output).toContain(`${RED}error: usage: format json|plotter|csv`);
    expect(output.endsWith(DEMO_PROMPT)).toBe(true);
  });

  it('json: every reading line is a JSON object of the four fields', async () => {
    const { type, timed } = boot();
    expect(await type('format json')).toEqual(['format json']);
    const read = await type('read');
    expect(read).toHaveLength(1);
    expectPlausible(parseJsonLine(read[0]!));
    for (const line of await timed(5)) expectPlausible(parseJsonLine(line));
  });

  it('plotter: every reading line is space-separated label:value pairs', async () => {
    const { type, timed } = boot();
    expect(await type('format  plotter ')).toEqual(['format plotter']);
    const read = await type('read');
    expect(read).toHaveLength(1);
    expect(read[0]).toMatch(/^temp:[\d.]+ humidity:\d+ ppm:\d+ pressure:\d+$/);
    expectPlausible(parsePlotterLine(read[0]!));
    const lines = await timed(5);
    expect(lines).toHaveLength(5);
    for (const line of lines) expectPlausible(parsePlotterLine(line));
    // The format stays through other commands.
    expect(await type('led on')).toHaveLength(1);
    expect(await type('format')).toEqual(['format plotter']);
  });

  it('csv: a header when chosen or asked for, numeric rows of its width, and the header again every 10 rows', async () => {
    const { type, timed } = boot();
    expect(await type('format csv')).toEqual(['format csv', CSV_HEADER]);
    const read = await type('read');
    expect(read).toHaveLength(1);
    // 1 row (read) + 24 timed ones: headers before the 11th and the 21st row, so 26 timed lines.
    const lines = await timed(26);
    const { rows, runs } = parseCsvLines([CSV_HEADER, ...read, ...lines]);
    expect(rows).toHaveLength(25);
    expect(runs).toEqual([DEMO_CSV_HEADER_EVERY_ROWS, DEMO_CSV_HEADER_EVERY_ROWS, 5]);
    for (const row of rows) expectPlausible(row);
    expect(new Set(rows.map((row) => row.pressure)).size).toBeGreaterThan(1);
    // Asking again prints the header and restarts the count: 10 rows, then the header comes
    // with the 11th row (one print, so both arrive at once).
    expect(await type('format')).toEqual(['format csv', CSV_HEADER]);
    const more = await timed(DEMO_CSV_HEADER_EVERY_ROWS + 1);
    expect(more).toHaveLength(DEMO_CSV_HEADER_EVERY_ROWS + 2);
    expect(parseCsvLines([CSV_HEADER, ...more]).runs).toEqual([DEMO_CSV_HEADER_EVERY_ROWS, 1]);
  });

  it('keeps the format until a reset (DTR toggled), which brings back json', async () => {
    const { board, type, take } = boot();
    expect(await type('format csv')).toEqual(['format csv', CSV_HEADER]);
    await board.setSignals({ dtr: false, rts: false });
    await board.setSignals({ dtr: true, rts: true });
    vi.advanceTimersByTime(DEMO_BOOT_MS);
    expect(take()).toContain('READY');
    expect(await type('format')).toEqual(['format json']);
    expectPlausible(parseJsonLine((await type('read'))[0]!));
  });
});

describe('formatReading', () => {
  it('prints the same values in each format', () => {
    const reading = { temp: 21.4, humidity: 40, ppm: 412, pressure: 101325 };
    expect(formatReading(reading, 'json')).toBe('{"temp":21.4,"humidity":40,"ppm":412,"pressure":101325}');
    expect(formatReading(reading, 'plotter')).toBe('temp:21.4 humidity:40 ppm:412 pressure:101325');
    expect(formatReading(reading, 'csv')).toBe('21.4,40,412,101325');
    expect(CSV_HEADER).toBe('temp,humidity,ppm,pressure');
  });

  it('repeats the CSV header after every 10 rows, counted from the choice', () => {
    const printer = new ReadingPrinter();
    const reading = { temp: 20, humidity: 40, ppm: 400, pressure: 101000 };
    expect(printer.choose('csv')).toEqual([CSV_HEADER]);
    const lines = Array.from({ length: 21 }, () => printer.lines(reading)).flat();
    expect(lines.filter((line) => line === CSV_HEADER)).toHaveLength(2);
    expect(lines[10]).toBe(CSV_HEADER);
    expect(printer.choose('plotter')).toEqual([]);
    expect(printer.lines(reading)).toEqual(['temp:20 humidity:40 ppm:400 pressure:101000']);
  });
});
