// Write pacing, proven on real firmware: 1 KiB of `echo` lines pasted into the emulated Uno
// through serialdeck's WebSocket. Unpaced, the Uno's 64-byte receive buffer overflows (the sketch
// echoes and replies, so it falls behind) and lines come back broken or not at all; with a
// delay after each line (tio's -O), every line comes back intact.
import { afterEach, describe, expect, it } from 'vitest';
import { splitFrames } from '../../client/controls/line-ending.js';
import type { RunningServer } from '../../server/start.js';
import { startTestServer } from '../helpers/test-server.js';
import { MAX_WRITE_FRAME_BYTES } from '../../server/wire/protocol.js';
import {
  BOARD_BANNER,
  BOARD_BAUD,
  BOARD_PROMPT,
  echoReply,
  pasteLines,
  startEmulatedUno,
  type EmulatedUno,
} from '../helpers/emulated-uno.js';
import { connect, type TestClient } from '../helpers/ws-client.js';

/**
 * Delay after each line, in ms. Each 32-byte line makes the sketch print ~63 bytes (echo, reply,
 * prompt): ~6 ms at 115200 baud. 25 ms leaves room for the emulator being stalled by a busy host,
 * which delivers the lines queued meanwhile back to back.
 */
const LINE_DELAY_MS = 25;
/** Attempts at a marker line after the lossy paste; each waits this long for its reply. */
const SYNC_ATTEMPTS = 5;
const SYNC_REPLY_TIMEOUT_MS = 1_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The emulated Uno, serialdeck on its pty, and a client that has seen the banner; readings quieted. */
async function boardBehindServer(): Promise<TestClient> {
  const uno: EmulatedUno = await startEmulatedUno();
  cleanups.push(() => uno.stop());
  const server: RunningServer = await startTestServer({ ports: [{ path: uno.path, baud: BOARD_BAUD }] });
  cleanups.push(() => server.close());
  const client = await connect(server.url);
  cleanups.push(async () => void (await client.close()));
  await client.untilText(`${BOARD_BANNER}${BOARD_PROMPT}`);
  // No timed readings among the replies.
  client.sendBytes('interval 3600000\n');
  await client.untilText(`OK interval 3600000\r\n${BOARD_PROMPT}`);
  return client;
}

/** Pastes the 1 KiB as the browser does: one binary frame (under the frame limit). */
function paste(client: TestClient, lines: string[]): void {
  const bytes = new TextEncoder().encode(lines.join(''));
  const frames = splitFrames(bytes, MAX_WRITE_FRAME_BYTES);
  expect(frames).toHaveLength(1);
  for (const frame of frames) client.sendBytes(frame);
}

/** The lines whose reply came back whole, on a line of its own, in `text`. */
function intactLines(text: string, lines: string[]): string[] {
  return lines.filter((line) => text.includes(`\r\n${echoReply(line)}\r\n`));
}

describe('write pacing on the emulated Uno', () => {
  it('without pacing, a 1 KiB paste overruns the receive buffer and lines are lost', async () => {
    const client = await boardBehindServer();
    const from = client.text().length;
    const lines = pasteLines();
    paste(client, lines);
    await client.untilText('ERR input overrun: receive buffer full, bytes may be lost (pace the writes)\r\n');
    // Let the rest of the paste through before counting: a marker line comes back once the
    // sketch has caught up (while its buffer is still full the marker may be lost too).
    let synced = false;
    for (let attempt = 0; attempt < SYNC_ATTEMPTS && !synced; attempt++) {
      const marker = `sync-${attempt}`;
      client.sendBytes(`\x03echo ${marker}\n`);
      synced = await client.untilText(`\r\n${marker}\r\n`, SYNC_REPLY_TIMEOUT_MS).then(
        () => true,
        () => false,
      );
    }
    expect(synced).toBe(true);
    const intact = intactLines(client.text().slice(from), lines);
    expect(intact.length).toBeLessThan(lines.length);
  });

  it(`with ${LINE_DELAY_MS} ms after each line, every line of the same paste comes back intact`, async () => {
    const client = await boardBehindServer();
    client.send({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: LINE_DELAY_MS });
    await client.until(
      () => client.messages.some((m) => m.type === 'status' && m.device.lineDelayMs === LINE_DELAY_MS),
      'a status with the new pacing',
    );
    const from = client.text().length;
    const lines = pasteLines();
    paste(client, lines);
    const last = echoReply(lines[lines.length - 1]!);
    await client.untilText(`\r\n${last}\r\n${BOARD_PROMPT}`);
    const text = client.text().slice(from);
    expect(intactLines(text, lines)).toEqual(lines);
    expect(text).not.toContain('ERR');
    // Each exchange exactly as typed one by one: echo, CRLF, reply, CRLF, prompt.
    expect(text).toBe(lines.map((line) => `${line.slice(0, -1)}\r\n${echoReply(line)}\r\n${BOARD_PROMPT}`).join(''));
  });
});
