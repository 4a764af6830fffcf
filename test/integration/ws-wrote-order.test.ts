// A write's `wrote` note is sent a little after the write (off the keystroke's way to the device),
// yet always before the device bytes that follow it, so a page draws `alice> G28` above its echo:
// on a socat pty whose board echoes each write at once, faster than the note's delay.
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups, connectAs, PEOPLE, serveWithPeople } from './roles-helpers.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

/** Writes typed, one at a time: enough for an echo to beat the note's delay at least once without the ordering. */
const WRITES = 20;

describe('wrote notes', () => {
  it('reach every client before the echo of the write they describe', async () => {
    const { srv, pair } = await serveWithPeople(cleanups);
    const olga = await connectAs(cleanups, srv, PEOPLE.olga);
    const vera = await connectAs(cleanups, srv, PEOPLE.vera);
    // What each client saw, in arrival order: a note (by its text) or echo bytes.
    const seen = new Map([olga, vera].map((client) => [client, [] as string[]]));
    for (const [client, events] of seen)
      client.ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) events.push(`echo ${data.toString('latin1')}`);
        else if (data.toString().includes('"type":"wrote"')) events.push(`note ${(JSON.parse(data.toString()) as { text: string }).text}`);
      });
    for (let i = 0; i < WRITES; i++) {
      const key = `k${i}`;
      olga.sendBytes(`${key}\n`);
      const got = new TextDecoder().decode(await pair.board.readBytes(key.length + 1));
      expect(got).toBe(`${key}\n`);
      await pair.board.write(`=${key}\n`); // the device's echo, sent the moment the write arrives
      for (const client of [olga, vera]) await client.untilText(`=${key}\n`);
    }
    for (const [, events] of seen) {
      for (let i = 0; i < WRITES; i++) {
        const note = events.indexOf(`note k${i}`);
        const echo = events.findIndex((event) => event.startsWith('echo') && event.includes(`=k${i}\n`));
        expect(note, `note of k${i}`).toBeGreaterThanOrEqual(0);
        expect(note, `note of k${i} before its echo in ${JSON.stringify(events)}`).toBeLessThan(echo);
      }
    }
  });
});
