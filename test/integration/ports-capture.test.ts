// A port's capture seen from outside, on a real pty: retention deletes the oldest segments and the
// API, the WebSocket and a resuming client all report the new start; downloads of a time range
// and of an offset range hold exactly the bytes that arrived in it, as raw bytes, a timestamped
// text log and NDJSON, offered as an attachment; malformed download queries get 400 and a reason.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { READ_BATCH_MAX_BYTES } from '../../server/serial/read-batcher.js';
import { segmentBytesFor } from '../../server/ports/served-port.js';
import { getPort, messagesOf, numberedLines, request, untilState } from '../helpers/ports-api.js';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';

const stack = cleanupAfterEach();
const pty = stack.pty;
const server = stack.server;
const client = stack.client;


const MiB = 1024 * 1024;

describe('retention', () => {
  it('deletes the oldest segments; the API, the WebSocket and a resume from 0 report the new start', async () => {
    const board = await pty();
    // The smallest retention config allows (1 MiB), and a memory ring smaller still, so a replay from
    // the start must come from the disk.
    const srv = await server({ ports: [{ path: board.devicePath, name: 'r', retention: { bytes: '1MiB' }, scrollback: '64KiB' }] });
    const viewer = await client(srv.url, 'ws/r');
    await untilState(viewer, 'open');
    const { stream } = await viewer.message('hello');

    const total = 4 * MiB;
    const sent = numberedLines(0, total / 64);
    await board.board.write(sent);
    await viewer.until(() => viewer.bytes().length >= total, 'all 4 MiB live');
    expect(viewer.bytes().equals(sent)).toBe(true);

    // Retention runs after each flush: clients hear of the new start, without asking.
    await viewer.until(
      () => messagesOf(viewer, 'capture').some((m) => m.capture.start > 0),
      'a capture message with a new start',
    );
    // A download flushes the capture first, and retention runs after every flush: once it has
    // answered, the capture has settled.
    expect((await request(srv.url, `api/ports/r/download?format=raw&from=${total - 1}`)).body).toHaveLength(1);
    const summary = await getPort(srv.url, 'r');
    const { start, bytesOnDisk } = summary.capture;
    expect(summary.capture.state).toBe('capturing');
    expect(start).toBeLessThan(total);
    // Whole segments go, oldest first, the newest never: the capture stays under its limit and,
    // its segments being an eighth of it (segmentBytesFor), close to it. (Soft: the resume below is
    // checked either way.)
    const segmentBytes = segmentBytesFor(MiB);
    expect(bytesOnDisk).toBeLessThanOrEqual(MiB);
    expect
      .soft(bytesOnDisk, `retention kept ${bytesOnDisk} bytes of a 1 MiB budget (segments should be ~${segmentBytes} bytes)`)
      .toBeGreaterThanOrEqual(MiB - 2 * segmentBytes);
    // The cause, when it is not: segment files larger than their size (a whole flush written to one file).
    const segmentFiles = (await readdir(join(srv.dataDir, 'ports', 'r'))).filter((name) => name.endsWith('.cap'));
    expect(segmentFiles.length).toBeGreaterThan(0);
    for (const name of segmentFiles) {
      const { size } = await stat(join(srv.dataDir, 'ports', 'r', name));
      expect.soft(size, `${name} is ${size} bytes; segments rotate at ${segmentBytes}`).toBeLessThanOrEqual(segmentBytes + READ_BATCH_MAX_BYTES + 1024);
    }
    await viewer.until(() => messagesOf(viewer, 'capture').at(-1)?.capture.start === start, 'a capture message with the final start');
    const legacy = (await request(srv.url, 'api/status')).json<{ stream: { start: number } }>();
    expect(legacy.stream.start).toBe(start);

    // A lossless client resuming at 0: told the start is gone, then every byte after it, from disk.
    const late = await client(srv.url, 'ws/r', `offset=0&stream=${stream}`);
    await late.until(() => late.bytes().length >= total - start, 'everything after the start');
    expect(messagesOf(late, 'skipped')).toEqual([{ type: 'skipped', bytes: start, offset: start, reason: 'not-buffered' }]);
    expect(late.bytes().equals(sent.subarray(start))).toBe(true);
  });
});

/** Resolves on the next wall-clock millisecond, so a time taken now is strictly after every arrival time stamped before. */
async function nextMillisecond(): Promise<number> {
  const now = Date.now();
  while (Date.now() <= now) await new Promise((resolve) => setImmediate(resolve));
  return Date.now();
}

interface NdjsonRecord {
  kind: 'data' | 'write' | 'event';
  offset: number;
  time: string;
  timeMs: number;
  text?: string;
  base64?: string;
  source?: string;
  event?: { type: string };
}

describe('download', () => {
  it('of a time range holds exactly what arrived in it, as raw, text and NDJSON; by offsets too', async () => {
    const board = await pty();
    const srv = await server({ ports: [{ path: board.devicePath, name: 'd' }] });
    const viewer = await client(srv.url, 'ws/d');
    await untilState(viewer, 'open');
    const base = (await viewer.message('hello')).offset;

    const lines = (tag: string) => Array.from({ length: 20 }, (_, i) => `${tag} line ${i} ${'~'.repeat(i)}\r\n`).join('');
    const [a, b, c] = [lines('A'), lines('B'), lines('C')];
    await board.board.write(a);
    await viewer.untilText(a);
    const t1 = await nextMillisecond();
    await board.board.write(b);
    await viewer.untilText(a + b);
    const t2 = await nextMillisecond();
    await board.board.write(c);
    await viewer.untilText(a + b + c);
    expect(viewer.text()).toBe(a + b + c);
    const download = (query: string) => request(srv.url, `api/ports/d/download?${query}`);

    const raw = await download(`since=${t1}&until=${t2}&format=raw`);
    expect(raw.status).toBe(200);
    expect(raw.body.toString('latin1')).toBe(b);
    expect(raw.headers.get('content-disposition')).toMatch(/^attachment; filename="d-[^"]+\.bin"$/);
    expect(raw.headers.get('x-serialdeck-range')).toBe(`${base + a.length}-${base + a.length + b.length}`);

    // ISO times work as well as ms.
    const iso = await download(`since=${new Date(t1).toISOString()}&until=${new Date(t2).toISOString()}&format=raw`);
    expect(iso.body.toString('latin1')).toBe(b);

    const text = await download(`since=${t1}&until=${t2}&format=text`);
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+\.txt"$/);
    const textLines = text.text().split('\n');
    expect(textLines.pop()).toBe(''); // ends with a newline
    expect(textLines).toHaveLength(20);
    textLines.forEach((line, i) => {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) \+(\d+\.\d{3}) (.*)$/.exec(line);
      expect(m, line).not.toBeNull();
      const timeMs = Date.parse(m![1]!);
      expect(timeMs).toBeGreaterThanOrEqual(t1);
      expect(timeMs).toBeLessThanOrEqual(t2);
      // Elapsed from the start asked for (arrival times may carry fractions of a ms: the ISO form drops them, the elapsed one rounds).
      expect(Math.abs(Number(m![2]) - (timeMs - t1) / 1000)).toBeLessThanOrEqual(0.001);
      expect(m![3]).toBe(`B line ${i} ${'~'.repeat(i)}`);
    });

    const ndjson = await download(`since=${t1}&until=${t2}&format=ndjson`);
    expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(ndjson.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+\.ndjson"$/);
    const records = ndjson
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as NdjsonRecord);
    const data = records.filter((r) => r.kind === 'data');
    expect(data.map((r) => r.text).join('')).toBe(b);
    expect(data[0]!.offset).toBe(base + a.length);
    for (const r of data) {
      expect(r.timeMs).toBeGreaterThanOrEqual(t1);
      expect(r.timeMs).toBeLessThan(t2);
      expect(r.time).toBe(new Date(r.timeMs).toISOString());
    }

    // By offsets: exactly the bytes between them.
    const from = base + a.length + 5;
    const to = base + a.length + b.length + 7;
    const byOffset = await download(`from=${from}&to=${to}&format=raw`);
    expect(byOffset.body.toString('latin1')).toBe((a + b + c).slice(from - base, to - base));
    expect(byOffset.headers.get('x-serialdeck-range')).toBe(`${from}-${to}`);

    // Everything kept, with no range.
    expect((await download('format=raw')).body.toString('latin1')).toBe(a + b + c);
  });

  it('as text, without the colours and cursor moves the board printed (ansi=keep keeps them); raw keeps every byte', async () => {
    const board = await pty();
    const srv = await server({ ports: [{ path: board.devicePath, name: 'd' }] });
    const viewer = await client(srv.url, 'ws/d');
    await untilState(viewer, 'open');
    const coloured = '\x1b[1;32mled on\x1b[0m\r\n\r\x1b[2K{"temp":21.4}\r\n';
    await board.board.write(coloured);
    await viewer.untilText(coloured);
    const body = async (query: string) => (await request(srv.url, `api/ports/d/download?${query}`)).text();
    // The device's lines, without their time stamps (the events of the port's start are left out).
    const lineTexts = (text: string) =>
      text
        .trimEnd()
        .split('\n')
        .map((line) => line.replace(/^\S+ \+\S+ /, ''))
        .filter((line) => !line.startsWith('-- '));
    expect(lineTexts(await body('format=text'))).toEqual(['led on', '{"temp":21.4}']);
    expect(lineTexts(await body('format=text&ansi=keep'))).toEqual(['\x1b[1;32mled on\x1b[0m', '\r\x1b[2K{"temp":21.4}']);
    expect(await body('format=raw&ansi=strip')).toBe(coloured); // raw is always exact
  });

  it.each([
    ['format=xml', /format/],
    ['from=abc', /from/],
    ['last=0', /last/],
    ['since=yesterday-ish', /since/],
    ['from=10&to=5', /before/],
    ['color=blue', /unknown parameter "color"/],
  ])('refuses a malformed query (%s) with 400 and the reason', async (query, reason) => {
    const srv = await server({ ports: ['demo'] });
    const answer = await request(srv.url, `api/ports/demo/download?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.json<{ error: string }>().error).toMatch(reason);
  });
});
