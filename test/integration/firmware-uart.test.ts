// The emulated Uno's UART behaves like the real one behind its USB-serial chip: bytes reach the
// firmware one byte-time apart, and its 64-byte receive buffer overflows when a paste arrives
// faster than the sketch handles it (firmware/README.md, "Overrun").
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BOARD_BANNER,
  BOARD_PROMPT,
  echoReply,
  openPtyTerminal,
  pasteLines,
  startEmulatedUno,
  type EmulatedUno,
  type PtyTerminal,
} from '../helpers/emulated-uno.js';

/** A byte on a real 8N1 wire at 115200 baud takes 10 bits / 115200, in ms. simavr's is ~8% longer. */
const WIRE_BYTE_MS = 10 / 115.2;
/** Attempts at a sync echo after a lossy paste; each waits this long for its reply. */
const SYNC_ATTEMPTS = 5;
const SYNC_REPLY_TIMEOUT_MS = 1_000;

let uno: EmulatedUno | undefined;
let term: PtyTerminal | undefined;

beforeEach(async () => {
  uno = await startEmulatedUno();
  term = await openPtyTerminal(uno.path);
  await term.readUntil(`${BOARD_BANNER}${BOARD_PROMPT}`);
  await term.write('interval 3600000\n');
  await term.readUntil(`OK interval 3600000\r\n${BOARD_PROMPT}`);
});

afterEach(async () => {
  await term?.close();
  await uno?.stop();
});

describe('the emulated Uno UART', () => {
  it('delivers input at the baud rate: a 1000-byte line is echoed whole, no faster than the wire', async () => {
    // Echo sends one byte per byte received, so a single long line never backs up the sketch:
    // all of it comes back if, and only if, the bytes arrive at the rate they are sent.
    const line = 'x'.repeat(1000);
    const started = performance.now();
    await term!.write(`${line}\n`);
    const reply = await term!.readUntil(`ERR line too long (max 64 characters)\r\n${BOARD_PROMPT}`);
    const elapsedMs = performance.now() - started;
    expect(reply).toBe(`${line}\r\nERR line too long (max 64 characters)\r\n${BOARD_PROMPT}`);
    // 2000+ bytes cross the UART (1000 in, 1000+ out, overlapping): at least 1000 byte-times.
    expect(elapsedMs).toBeGreaterThan(1000 * WIRE_BYTE_MS);
  });

  it('loses bytes of an unpaced 1 KiB paste, as a real Uno does, and says so', async () => {
    const lines = pasteLines();
    expect(lines.join('')).toHaveLength(1024);
    await term!.write(lines.join(''));
    await term!.readUntil('ERR input overrun: receive buffer full, bytes may be lost (pace the writes)\r\n');
    // Wait out the rest of the paste: a marker line sent after it comes back once the sketch
    // has caught up (an attempt may itself be lost while the buffer is still full).
    let synced = false;
    for (let attempt = 0; attempt < SYNC_ATTEMPTS && !synced; attempt++) {
      await term!.write(`\x03echo sync-${attempt}\n`);
      synced = await term!.readUntil(`\r\nsync-${attempt}\r\n`, SYNC_REPLY_TIMEOUT_MS).then(
        () => true,
        () => false,
      );
    }
    expect(synced).toBe(true);
    const received = term!.received();
    const intact = lines.filter((l) => received.includes(`\r\n${echoReply(l)}\r\n`));
    expect(intact.length).toBeGreaterThan(0); // the first lines fit in the buffer
    expect(intact.length).toBeLessThan(lines.length);
  });

  it('keeps every line of the same paste when it is sent a line at a time, awaiting each reply', async () => {
    for (const line of pasteLines()) {
      await term!.write(line);
      await term!.readUntil(`\r\n${echoReply(line)}\r\n${BOARD_PROMPT}`);
    }
    expect(term!.received()).not.toContain('ERR');
  });
});
