import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEMO_BOOT_MS,
  DEMO_DEFAULT_INTERVAL_MS,
  DEMO_PATH,
  DEMO_PROMPT,
  DemoBoard,
  createDemoOpener,
} from '../../server/serial/devices/demo/demo-board.js';
import { DEMO_LINE_MAX_BYTES } from '../../server/serial/devices/demo/demo-line-discipline.js';
import { SensorSimulator } from '../../server/serial/devices/demo/demo-sensors.js';

const RED = '\x1b[31m';

/** A board with its output collected as text; `take()` returns what arrived since the last take. */
function boot(options: { intervalMs?: number } = {}) {
  let output = '';
  const ended: unknown[] = [];
  const board = new DemoBoard(
    {
      data: (chunk) => (output += new TextDecoder().decode(chunk)),
      end: (error) => ended.push(error),
    },
    { intervalMs: options.intervalMs ?? 0, random: () => 0.75 },
  );
  boards.push(board);
  const take = () => {
    const text = output;
    output = '';
    return text;
  };
  vi.advanceTimersByTime(DEMO_BOOT_MS);
  const banner = take();
  const type = async (text: string) => {
    await board.write(new TextEncoder().encode(text));
    return take();
  };
  return { board, banner, take, type, ended };
}
const boards: DemoBoard[] = [];

beforeEach(() => vi.useFakeTimers());
afterEach(async () => {
  await Promise.all(boards.splice(0).map((b) => b.close()));
  vi.useRealTimers();
});

describe('demo board', () => {
  it('holds its output while reading is paused and hands it over in order on resume', async () => {
    const { board, take, type } = boot();
    board.pauseReading();
    expect(await type('help\r')).toBe('');
    board.resumeReading();
    expect(take()).toContain('help');
    expect(await type('\r')).toContain(DEMO_PROMPT);
  });

  it('boots with a coloured banner and READY, then a prompt without a newline', () => {
    const { banner: text } = boot();
    expect(text).toContain('\x1b[1;32mserialdeck demo board');
    expect(text).toContain('\r\nREADY\r\n');
    expect(text.endsWith(`READY\r\n${DEMO_PROMPT}`)).toBe(true);
  });

  it('prints a JSON reading every interval, drifting plausibly', () => {
    const { take } = boot({ intervalMs: DEMO_DEFAULT_INTERVAL_MS });
    take();
    const readings = [];
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(DEMO_DEFAULT_INTERVAL_MS);
      const text = take();
      // The reading replaces the prompt line, then the prompt is drawn again below it.
      expect(text.startsWith('\r\x1b[2K{')).toBe(true);
      expect(text.endsWith(`}\r\n${DEMO_PROMPT}`)).toBe(true);
      readings.push(JSON.parse(text.slice(text.indexOf('{'), text.indexOf('}') + 1)) as Record<string, number>);
    }
    for (const reading of readings) {
      expect(Object.keys(reading)).toEqual(['temp', 'humidity', 'ppm', 'pressure']);
      expect(reading.temp).toBeGreaterThan(15);
      expect(reading.temp).toBeLessThan(30);
    }
    expect(readings[2]?.temp).not.toBe(readings[0]?.temp);
  });

  it('echoes what is typed and runs the line on Enter', async () => {
    const { type } = boot();
    expect(await type('ec')).toBe('ec');
    expect(await type('ho hello  world\r')).toBe(`ho hello  world\r\nhello  world\r\n${DEMO_PROMPT}`);
  });

  it('ends a line once on CR, LF or CRLF', async () => {
    const { type } = boot();
    expect(await type('echo a\r\necho b\necho c\r')).toBe(
      `echo a\r\na\r\n${DEMO_PROMPT}echo b\r\nb\r\n${DEMO_PROMPT}echo c\r\nc\r\n${DEMO_PROMPT}`,
    );
    // The LF of a CRLF split across two writes is not a second (empty) line.
    expect(await type('\n')).toBe('');
  });

  it('erases with backspace and DEL, a whole UTF-8 character at a time', async () => {
    const { type } = boot();
    expect(await type('echo hix\x08')).toBe('echo hix\b \b');
    expect(await type('é\x7f!\r')).toBe(`é\b \b!\r\nhi!\r\n${DEMO_PROMPT}`);
  });

  it('answers Ctrl+C with ^C and a fresh prompt, dropping the line', async () => {
    const { type } = boot();
    expect(await type('led on\x03')).toBe(`led on^C\r\n${DEMO_PROMPT}`);
    expect(await type('\r')).toBe(`\r\n${DEMO_PROMPT}`);
  });

  it('swallows escape sequences such as arrow keys', async () => {
    const { type } = boot();
    expect(await type('\x1b[A\x1bOBx')).toBe('x');
  });

  it('rings the bell instead of growing a line past its buffer', async () => {
    const { type } = boot();
    const echoed = await type('a'.repeat(DEMO_LINE_MAX_BYTES + 2));
    expect(echoed).toBe('a'.repeat(DEMO_LINE_MAX_BYTES) + '\x07\x07');
  });

  it('answers help, status, led, read and echo', async () => {
    const { type } = boot();
    const help = await type('help\r');
    for (const command of ['help', 'status', 'interval <ms>', 'led on|off', 'echo <text>', 'read']) expect(help).toContain(command);
    expect(await type('led on\r')).toContain('LED \x1b[33mon');
    expect(await type('status\r')).toMatch(/uptime \d+\.\d s, interval 0 ms, led on, readings 0/);
    const read = await type('read\r');
    expect(JSON.parse(read.split('\r\n')[1] ?? '')).toHaveProperty('ppm');
    expect(await type('led off\r')).toContain('LED off');
  });

  it('changes the telemetry interval, and stops it with 0', async () => {
    const { type, take } = boot({ intervalMs: 1000 });
    expect(await type('interval 250\r')).toContain('interval 250 ms');
    vi.advanceTimersByTime(250);
    expect(take()).toContain('"temp"');
    expect(await type('interval 0\r')).toContain('telemetry stopped');
    vi.advanceTimersByTime(5000);
    expect(take()).toBe('');
  });

  it('answers an unknown command or bad argument in red, then prompts again', async () => {
    const { type } = boot();
    const unknown = await type('frobnicate\r');
    expect(unknown).toContain(`${RED}error: unknown command "frobnicate"`);
    expect(unknown.endsWith(DEMO_PROMPT)).toBe(true);
    expect(await type('interval 5\r')).toContain(RED);
    expect(await type('led blue\r')).toContain(`${RED}error: usage: led on|off`);
  });

  it('redraws the prompt and the half-typed line after a reading', async () => {
    const { type, take } = boot({ intervalMs: 1000 });
    await type('sta');
    vi.advanceTimersByTime(1000);
    expect(take().endsWith(`\r\n${DEMO_PROMPT}sta`)).toBe(true);
    expect(await type('tus\r')).toContain('uptime');
  });

  it('reboots when DTR is asserted after being low (Arduino auto-reset), losing bytes sent while it boots', async () => {
    const { board, type, take } = boot();
    await board.setSignals({ dtr: false, rts: false });
    await board.setSignals({ dtr: true, rts: true });
    expect(await type('lost')).toBe('');
    vi.advanceTimersByTime(DEMO_BOOT_MS);
    const banner = take();
    expect(banner.startsWith('\r\n')).toBe(true);
    expect(banner).toContain('READY');
    await board.setSignals({ dtr: true, rts: false });
    vi.advanceTimersByTime(DEMO_BOOT_MS);
    expect(take()).toBe(''); // no falling-then-rising DTR edge: no reset
  });

  it('is silent and refuses writes once closed', async () => {
    const { board, take } = boot({ intervalMs: 100 });
    take();
    await board.close();
    vi.advanceTimersByTime(1000);
    expect(take()).toBe('');
    await expect(board.write(new Uint8Array(1))).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('is opened only by its own path', async () => {
    const opener = createDemoOpener({ intervalMs: 0 });
    const events = { data: () => undefined, end: () => undefined };
    await expect(opener.open({ path: '/dev/ttyUSB0', baudRate: 9600 }, events)).rejects.toMatchObject({ code: 'ENOENT' });
    const board = await opener.open({ path: DEMO_PATH, baudRate: 9600 }, events);
    await board.close();
  });
});

describe('SensorSimulator', () => {
  it('keeps every value within its band, with temperature to one decimal', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const sensors = new SensorSimulator(random);
    for (let i = 0; i < 5000; i++) {
      const { temp, humidity, ppm, pressure } = sensors.read();
      expect(temp).toBeGreaterThanOrEqual(17);
      expect(temp).toBeLessThanOrEqual(27);
      expect(Math.round(temp * 10) / 10).toBe(temp);
      expect(Number.isInteger(humidity) && humidity >= 25 && humidity <= 65).toBe(true);
      expect(Number.isInteger(ppm) && ppm >= 350 && ppm <= 900).toBe(true);
      expect(Number.isInteger(pressure) && pressure >= 100500 && pressure <= 102200).toBe(true);
    }
  });
});
