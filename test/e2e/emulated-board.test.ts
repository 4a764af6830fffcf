// End to end on real firmware: serialdeck opens the emulated Uno's pty as it would /dev/ttyACM0,
// and a WebSocket client sees the sensor board's banner and JSON readings, sends commands
// encoded as the browser's line mode does (LF, CR and CRLF), and gets the firmware's replies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLine } from '../../client/controls/line-ending.js';
import type { RunningServer } from '../../server/start.js';
import { startTestServer } from '../helpers/test-server.js';
import type { LineEnding } from '../../server/wire/protocol.js';
import {
  BOARD_BANNER,
  BOARD_BAUD,
  BOARD_PROMPT,
  READING_LINE,
  startEmulatedUno,
  type EmulatedUno,
} from '../helpers/emulated-uno.js';
import { connect, type TestClient } from '../helpers/ws-client.js';

let uno: EmulatedUno | undefined;
let server: RunningServer | undefined;
let client: TestClient;

/** The complete reading lines (CRLF received) in the received text from `from` on. */
function readingLines(from: number): string[] {
  const lines = client.text().slice(from).split('\r\n');
  lines.pop(); // not ended yet
  return lines.filter((line) => line.startsWith('{'));
}

/** Sends `text` as the browser's line mode does with `ending`; resolves with what arrived since, once it holds the line `reply`. */
async function send(text: string, reply: string | RegExp, ending: LineEnding = 'lf'): Promise<string> {
  const from = client.text().length;
  client.sendBytes(encodeLine(text, ending));
  const found = () => {
    const since = client.text().slice(from);
    return typeof reply === 'string' ? since.includes(`\r\n${reply}\r\n`) : reply.test(since);
  };
  await client.until(found, String(reply));
  return client.text().slice(from);
}

beforeAll(async () => {
  uno = await startEmulatedUno();
  server = await startTestServer({ ports: [{ path: uno.path, baud: BOARD_BAUD }] });
  client = await connect(server.url);
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  await uno?.stop();
});

describe('serialdeck on the emulated Uno', () => {
  it('opens the pty and relays the boot banner, the prompt and JSON readings', async () => {
    const hello = await client.message('hello');
    expect(hello.device.path).toBe(uno?.path);
    // Opening the pty resets the board (the Uno's DTR auto-reset), so the stream starts at boot.
    await client.untilText(`${BOARD_BANNER}${BOARD_PROMPT}`);
    expect(client.text().startsWith(BOARD_BANNER)).toBe(true);
    await client.until(() => readingLines(0).length >= 1, 'a JSON reading');
    expect(readingLines(0)[0]).toMatch(READING_LINE);
    const status = client.messages.filter((m) => m.type === 'status' || m.type === 'hello');
    expect(status.some((m) => 'device' in m && m.device.state === 'open')).toBe(true);
  });

  it('sends help and gets the command list', async () => {
    const text = await send('help', '  read           one reading now');
    expect(text).toContain('help\r\ncommands (end a line with LF, CR or CRLF):\r\n');
    for (const name of ['help', 'status', 'interval <ms>', 'led on|off', 'echo <text>']) {
      expect(text).toContain(`\r\n  ${name} `);
    }
  });

  it('sends interval 200 and gets readings at the new pace', async () => {
    await send('interval 200', 'OK interval 200');
    const from = client.text().length;
    const started = performance.now();
    await client.until(() => readingLines(from).length >= 4, 'four readings');
    // Four readings 200 ms apart, the first up to 200 ms after the command: at least 600 ms,
    // and well under the 1000 ms interval they replaced (4 readings would take 3+ s).
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(600 * 0.9);
    expect(elapsed).toBeLessThan(3000);
    for (const line of readingLines(from)) expect(line).toMatch(READING_LINE);
  });

  it('sends led on and gets the reply, and status shows it', async () => {
    await send('led on', 'OK led on');
    const text = await send('status', /\r\nstatus uptime_ms=[^\r]*\r\n/);
    expect(text).toMatch(/\r\nstatus uptime_ms=\d+ interval_ms=200 led=on /);
  });

  it.each([
    ['lf', 'via-lf'],
    ['cr', 'via-cr'],
    ['crlf', 'via-crlf'],
  ] as const)('ends a line typed with %s, once', async (ending, word) => {
    const text = await send(`echo ${word}`, word, ending);
    // The echo of the command, then its reply; an ending taken as two would add an empty prompt.
    expect(text).toContain(`echo ${word}\r\n${word}\r\n`);
    await send('echo next', 'next');
    expect(client.text()).not.toContain(`${BOARD_PROMPT}\r\n${BOARD_PROMPT}`);
  });
});
