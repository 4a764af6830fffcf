// GET /api/ports/ID/events through the whole server on a real pty, read by curl as a script would
// (`curl -N`): the board's lines arrive as `line` events whose ids are their end offsets; after a
// disconnect, a reconnect with Last-Event-ID gets exactly the lines it missed (replayed from the
// capture) and then the live ones, none twice; a prompt arrives as a partial line, then whole;
// JSON readings arrive as `record` events, alone with ?types=record; a port's console filters arrive
// as `filters` events (as they stand, then each PUT by anyone) and writes as `write` events (with
// their author, replayed from a resume point), neither moving the resume id; bad queries get 400;
// past the ceiling on open streams, 503 with Retry-After.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../server/wire/protocol.js';
import type { LineData, LineFilter, PortFilters, RecordData, WriteNote } from '../../server/wire/api.js';
import { createPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { pollUntil, request } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { untilOpen } from './api-helpers.js';

/** Deadline of a wait for events, in ms: generous for a loaded CI machine. */
const EVENT_DEADLINE_MS = 10_000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/** `curl -N -s` on an SSE URL, its events parsed as they arrive. */
class CurlSse {
  readonly events: SseEvent[] = [];
  private readonly child: ChildProcess;
  private buffer = '';
  private exited = false;
  /** True once the response began (its headers and the `retry` line): the stream follows the port from then on. */
  opened = false;
  private readonly waiters = new Set<() => void>();

  constructor(url: string, headers: string[] = []) {
    this.child = spawn('curl', ['-N', '-s', ...headers.flatMap((h) => ['-H', h]), url], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (text: string) => this.receive(text));
    this.child.once('exit', () => {
      this.exited = true;
      for (const waiter of this.waiters) waiter();
    });
  }

  lines(): LineData[] {
    return this.events.filter((e) => e.event === 'line').map((e) => JSON.parse(e.data) as LineData);
  }
  completeTexts(): string[] {
    return this.lines().flatMap((l) => (l.partial ? [] : [l.text]));
  }
  of<T>(type: string): T[] {
    return this.events.filter((e) => e.event === type).map((e) => JSON.parse(e.data) as T);
  }

  until(ok: () => boolean, what: string, timeoutMs = EVENT_DEADLINE_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (ok()) return done();
        if (this.exited) done(new Error(`curl exited before ${what}; events: ${JSON.stringify(this.events.slice(-5))}`));
      };
      const timer = setTimeout(() => done(new Error(`no ${what} after ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(-5))}`)), timeoutMs);
      const done = (error?: Error): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  private receive(text: string): void {
    this.opened = true;
    this.buffer += text;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: SseEvent = { id: null, event: 'message', data: '' };
      let dispatch = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || line === '') continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
        else if (field === 'data') {
          event.data += value;
          dispatch = true;
        }
      }
      if (dispatch) this.events.push(event);
    }
    for (const waiter of [...this.waiters]) waiter();
  }
}

let pair: PtyPair;
let srv: TestServer;
async function setup(config: { maxClients?: number } = {}): Promise<void> {
  pair = await createPtyPair();
  cleanups.push(() => pair.close());
  srv = await startTestServer({ ports: [{ path: pair.devicePath, name: 'p' }], ...config });
  cleanups.push(() => srv.close());
  await untilOpen(srv);
}

/** Opens the stream and waits for its first bytes, by which the stream follows the port (or for a first event of a type). */
async function openSse(query = '', headers: string[] = [], firstEvent: string | null = null): Promise<CurlSse> {
  const sse = new CurlSse(`${srv.url}api/ports/p/events${query}`, headers);
  cleanups.push(() => sse.close());
  if (firstEvent === null) await sse.until(() => sse.opened, 'the response');
  else await sse.until(() => sse.events.some((e) => e.event === firstEvent), `a first ${firstEvent} event`);
  return sse;
}

/** Resolves once the port's line reader has read a complete line with this text. */
function untilPortReads(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the port never read ${JSON.stringify(text)}`)), EVENT_DEADLINE_MS);
    const stop = srv.registry.get('p')!.lines().subscribe({
      line: (line) => {
        if (line.partial || line.text !== text) return;
        clearTimeout(timer);
        stop();
        resolve();
      },
    });
  });
}

const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `reading ${from + k}`);

describe('SSE: GET /api/ports/ID/events', () => {
  it('streams lines with their end offsets as ids, and resumes with Last-Event-ID exactly where it left off', async () => {
    await setup();
    const first = await openSse('', [], 'status');
    // The first event is the device's status as it stands.
    expect(first.of<DeviceStatus>('status')[0]!.state).toBe('open');

    await pair.board.write(numbered(0, 5).map((t) => `${t}\r\n`).join(''));
    await first.until(() => first.completeTexts().length >= 5, '5 lines');
    expect(first.completeTexts()).toEqual(numbered(0, 5));
    const lines = first.lines().filter((l) => !l.partial);
    const ids = first.events.filter((e) => e.event === 'line').map((e) => Number(e.id));
    expect(ids).toEqual(lines.map((l) => l.endOffset));
    for (let k = 1; k < lines.length; k++) expect(lines[k]!.offset).toBe(lines[k - 1]!.endOffset);
    expect(lines[0]!.time).toBe(new Date(lines[0]!.timeMs).toISOString());
    const lastId = ids.at(-1)!;
    await first.close();

    // Missed while disconnected: read by the port's line reader, kept in the capture.
    const missed = untilPortReads('reading 11');
    await pair.board.write(numbered(5, 12).map((t) => `${t}\n`).join(''));
    await missed;

    const second = await openSse('', [`Last-Event-ID: ${lastId}`], 'line');
    await pair.board.write(numbered(12, 15).map((t) => `${t}\r\n`).join(''));
    await second.until(() => second.completeTexts().length >= 10, '10 lines after the resume');
    expect(second.completeTexts()).toEqual(numbered(5, 15));
    expect(second.lines()[0]!.offset).toBe(lastId);

    // The same with ?lastEventId= (for curl without a header): from the line before last.
    const third = await openSse(`?lastEventId=${second.lines().at(-2)!.offset}&types=line`, [], 'line');
    await third.until(() => third.completeTexts().length >= 2, 'the last two lines');
    expect(third.completeTexts()).toEqual(numbered(13, 15));
    expect(third.events.every((e) => e.event === 'line')).toBe(true);
  });

  it('sends a prompt as a partial line with its start as id, then the complete line with the same offset', async () => {
    await setup();
    const sse = await openSse();
    await pair.board.write('> ');
    await sse.until(() => sse.lines().some((l) => l.partial), 'a partial line');
    const partial = sse.lines().find((l) => l.partial)!;
    expect(partial).toMatchObject({ text: '> ', partial: true });
    expect(Number(sse.events.find((e) => e.event === 'line')!.id)).toBe(partial.offset);
    await pair.board.write('help\r\n');
    await sse.until(() => sse.completeTexts().length >= 1, 'the complete line');
    expect(sse.lines().at(-1)).toMatchObject({ offset: partial.offset, text: '> help', partial: false });
  });

  it('sends JSON readings as record events (alone with ?types=record), with the line end as id', async () => {
    await setup();
    const all = await openSse();
    const onlyRecords = await openSse('?types=record');
    const readings = [
      '{"temp":21.4,"humidity":40,"ppm":412,"pressure":101325}',
      'boot ok',
      '{"temp":21.5,"humidity":41,"ppm":415,"pressure":101320}',
    ];
    await pair.board.write(readings.map((t) => `${t}\r\n`).join(''));
    await all.until(() => all.of('record').length >= 2 && all.completeTexts().length >= 3, 'two records');
    await onlyRecords.until(() => onlyRecords.events.length >= 2, 'two records alone');

    const records = all.of<RecordData>('record');
    expect(records.map((r) => r.fields)).toEqual([
      { temp: 21.4, humidity: 40, ppm: 412, pressure: 101325 },
      { temp: 21.5, humidity: 41, ppm: 415, pressure: 101320 },
    ]);
    expect(records.every((r) => r.format === 'json')).toBe(true);
    const lines = all.lines();
    expect(records[1]).toMatchObject({ offset: lines[2]!.offset, endOffset: lines[2]!.endOffset, timeMs: lines[2]!.timeMs });
    // Each record follows its line.
    const order = all.events.filter((e) => e.event !== 'status' && e.event !== 'filters').map((e) => e.event);
    expect(order).toEqual(['line', 'record', 'line', 'line', 'record']);

    expect(onlyRecords.events.map((e) => e.event)).toEqual(['record', 'record']);
    expect(onlyRecords.events.map((e) => Number(e.id))).toEqual([lines[0]!.endOffset, lines[2]!.endOffset]);
    expect(onlyRecords.of<RecordData>('record')).toEqual(records);
  });

  it("sends the port's filters first, then another client's PUT at once, without an id, so a resume still picks up exactly where the lines left off", async () => {
    await setup();
    const viewer = await openSse('', [], 'filters');
    const firstFilters = viewer.events.find((e) => e.event === 'filters')!;
    expect(firstFilters.id).toBeNull();
    expect(JSON.parse(firstFilters.data)).toMatchObject({ filters: [], updatedMs: null });

    await pair.board.write(numbered(0, 3).map((t) => `${t}\r\n`).join(''));
    await viewer.until(() => viewer.completeTexts().length >= 3, '3 lines');

    // Another client (fetch, as a script or another page would) replaces the list.
    const list: LineFilter[] = [{ id: 'errors', pattern: 'error|fail', flags: 'i', action: 'highlight', colour: 'red', enabled: true }];
    const put = await request(srv.url, 'api/ports/p/filters', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filters: list }) });
    expect(put.status).toBe(200);
    const saved = put.json<PortFilters>();
    await viewer.until(() => viewer.of('filters').length >= 2, 'the PUT as a filters event');
    const pushed = viewer.events.filter((e) => e.event === 'filters');
    expect(pushed).toHaveLength(2);
    expect(pushed[1]!.id).toBeNull();
    expect(JSON.parse(pushed[1]!.data)).toEqual(saved);
    expect(saved.filters).toEqual(list);

    // What EventSource would resume from: the last id it saw, which the filters event left alone.
    const resumeId = viewer.events.filter((e) => e.id !== null).at(-1)!.id;
    expect(Number(resumeId)).toBe(viewer.lines().at(-1)!.endOffset);
    expect(viewer.events.at(-1)!.event).toBe('filters'); // it came after the lines, and changed nothing
    await viewer.close();

    const missed = untilPortReads('reading 5');
    await pair.board.write(numbered(3, 6).map((t) => `${t}\n`).join(''));
    await missed;
    const resumed = await openSse('?types=line,filters', [`Last-Event-ID: ${resumeId}`], 'filters');
    await resumed.until(() => resumed.completeTexts().length >= 3, 'the 3 missed lines');
    expect(resumed.completeTexts()).toEqual(numbered(3, 6)); // none lost, none twice
    expect(resumed.of<PortFilters>('filters')).toEqual([saved]); // the list as it stands, once
  });

  it('sends each write with its author as a write event without an id, and replays them from a resume point', async () => {
    await setup();
    const post = (body: string) => request(srv.url, 'api/ports/p/write', { method: 'POST', body });
    const live = await openSse('?types=line,write');
    await pair.board.write('reading 0\r\n');
    await live.until(() => live.completeTexts().length >= 1, 'a line');
    const before = live.lines().at(-1)!.endOffset;

    expect((await post('G28\n')).status).toBe(200);
    await live.until(() => live.of('write').length >= 1, 'the write');
    const writeEvent = live.events.find((e) => e.event === 'write')!;
    expect(writeEvent.id).toBeNull();
    const note = JSON.parse(writeEvent.data) as WriteNote;
    expect(note).toMatchObject({ text: 'G28', offset: before, name: expect.any(String), source: expect.stringMatching(/^http@/) });
    expect(live.events.filter((e) => e.id !== null).at(-1)!.id).toBe(String(before)); // the resume point stays on the lines

    await pair.board.write('reading 1\r\n');
    await live.until(() => live.completeTexts().length >= 2, 'a second line');
    const after = live.lines().at(-1)!.endOffset;

    // Resumed from before the write: it comes again (the same note), with the line after it.
    const resumed = await openSse('?types=line,write', [`Last-Event-ID: ${before}`], 'write');
    await resumed.until(() => resumed.completeTexts().length >= 1, 'the line after the write');
    expect(resumed.of<WriteNote>('write')).toEqual([note]);
    expect(resumed.completeTexts()).toEqual(['reading 1']);

    // Resumed from after it: not replayed; the next write arrives live, and is the only one.
    const later = await openSse('?types=write', [`Last-Event-ID: ${after}`]);
    expect((await post('M105\n')).status).toBe(200);
    await later.until(() => later.of('write').length >= 1, 'the next write');
    expect(later.of<WriteNote>('write').map((w) => w.text)).toEqual(['M105']);
    await live.until(() => live.of('write').length >= 2, 'the next write on the first stream');
    expect(live.of<WriteNote>('write').map((w) => w.text)).toEqual(['G28', 'M105']);
  });

  it('refuses a malformed query with 400 and a reason, and sends the SSE headers', async () => {
    await setup();
    const bad = async (query: string, headers: Record<string, string> = {}) => {
      const answer = await request(srv.url, `api/ports/p/events${query}`, { headers });
      expect(answer.status, query).toBe(400);
      return answer.json<{ error: string }>().error;
    };
    expect(await bad('?types=line,bogus')).toMatch(/types must be .*line, record, status, gap.*"bogus"/);
    expect(await bad('?lastEventId=12abc')).toMatch(/stream offset/);
    expect(await bad('', { 'Last-Event-ID': '-5' })).toMatch(/stream offset/);
    expect(await bad('?since=5')).toMatch(/unknown parameter "since"/);
    expect((await request(srv.url, 'api/ports/nope/events')).status).toBe(404);

    const controller = new AbortController();
    const response = await fetch(`${srv.url}api/ports/p/events`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toMatch(/^retry: 1000\n/);
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });

  it('refuses a stream past the ceiling (2 per allowed client) with 503 and Retry-After, and opens one again once a stream closes', async () => {
    await setup({ maxClients: 1 });
    const first = await openSse();
    await openSse('?types=record');
    const full = await request(srv.url, 'api/ports/p/events');
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('5');
    expect(full.json<{ error: string }>().error).toMatch(/^too many event streams: all 2 are open .*maxClients.*try again later$/);
    expect((await request(srv.url, 'api/ports/p/events', { method: 'HEAD' })).status).toBe(200); // a HEAD holds nothing open
    expect((await request(srv.url, 'api/ports')).status).toBe(200); // the rest of the API is not capped

    await first.close();
    // The server hears curl go by the socket's close: no event announces it to the test, so ask.
    const opened = await pollUntil(() => streamStatus(), (status) => status === 200, 'a place given back');
    expect(opened).toBe(200);
  });
});

/** The status of a new events stream, which is closed again at once. */
async function streamStatus(): Promise<number> {
  const controller = new AbortController();
  const response = await fetch(`${srv.url}api/ports/p/events`, { signal: controller.signal });
  controller.abort();
  await response.body?.cancel().catch(() => undefined);
  return response.status;
}
