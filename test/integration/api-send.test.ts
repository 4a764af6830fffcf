// POST /api/ports/ID/send through the whole server: the demo board answers `status` and the reply
// comes back in the same request, ended by its prompt; on a real pty a reply ends at a given prompt
// line, after a quiet period, or at the timeout; the write goes through the command path (recorded
// with its http source); a send while unplugged is refused with 409; a bad body gets 400 and why.
import { afterEach, describe, expect, it } from 'vitest';
import type { LineData, SendResult } from '../../server/wire/api.js';
import { createPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { request } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { untilOpen } from './api-helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function serve(path: string): Promise<TestServer> {
  const srv = await startTestServer({ ports: [{ path, name: 'b' }] });
  cleanups.push(() => srv.close());
  await untilOpen(srv);
  return srv;
}

async function ptyServer(): Promise<{ srv: TestServer; pair: PtyPair }> {
  const pair = await createPtyPair();
  cleanups.push(() => pair.close());
  return { srv: await serve(pair.devicePath), pair };
}

const send = (srv: TestServer, body: unknown) =>
  request(srv.url, 'api/ports/b/send', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
const texts = (reply: LineData[]) => reply.map((l) => l.text);

describe('POST /api/ports/ID/send', () => {
  it('returns the demo board’s reply to `status`, ended by its prompt', async () => {
    const srv = await serve('demo');
    // The board boots with a banner ending in READY and a prompt: wait for it, so `status` is not typed during boot.
    const port = srv.registry.get('b')!;
    await new Promise<void>((resolve) => {
      const stop = port.lines().subscribe({ line: (l) => l.text === 'READY' && (stop(), resolve()) });
    });
    const answer = await send(srv, { line: 'status' });
    expect(answer.status).toBe(200);
    const result = answer.json<Extract<SendResult, { ok: true }>>();
    expect(result).toMatchObject({ ok: true, written: 7, endedBy: 'prompt' });
    const reply = texts(result.reply).filter((t) => !t.includes('{')); // telemetry may interleave
    expect(reply.at(-1)).toBe('> ');
    expect(result.reply.at(-1)!.partial).toBe(true);
    expect(reply.some((t) => /^uptime \d+\.\d s, interval 1000 ms, led off, readings \d+$/.test(t))).toBe(true);
    expect(reply.some((t) => t.endsWith('status'))).toBe(true); // the echo
    for (const line of result.reply) expect(line.time).toBe(new Date(line.timeMs).toISOString());
  });

  it('on a pty: ends at the given prompt line; the write is recorded with its http source', async () => {
    const { srv, pair } = await ptyServer();
    const board = (async () => {
      await pair.board.readUntil('ping\r\n');
      await pair.board.write('pong 1\r\npong 2\r\nok\r\nafter\r\n');
    })();
    const answer = await send(srv, { line: 'ping', ending: 'crlf', until: { prompt: 'ok', quietMs: 60_000 } });
    await board;
    expect(answer.status).toBe(200);
    const result = answer.json<Extract<SendResult, { ok: true }>>();
    expect(result).toMatchObject({ ok: true, written: 6, endedBy: 'prompt' });
    expect(texts(result.reply)).toEqual(['pong 1', 'pong 2', 'ok']);
    const capture = await request(srv.url, 'api/ports/b/download?format=ndjson');
    const writes = capture
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; source?: string; text?: string })
      .filter((record) => record.kind === 'write');
    expect(writes).toEqual([expect.objectContaining({ source: expect.stringMatching(/^http@/), text: 'ping\r\n' })]);
  });

  it('on a pty: ends after a quiet period, or at the timeout while the board says nothing', async () => {
    const { srv, pair } = await ptyServer();
    const board = (async () => {
      await pair.board.readUntil('report\n');
      await pair.board.write('a=1\r\nb=2\r\n');
    })();
    const quiet = await send(srv, { line: 'report', until: { quietMs: 500 } });
    await board;
    expect(quiet.json()).toMatchObject({ ok: true, endedBy: 'quiet' });
    expect(texts(quiet.json<Extract<SendResult, { ok: true }>>().reply)).toEqual(['a=1', 'b=2']);

    const started = Date.now();
    const silent = await send(srv, { line: 'nothing', until: { quietMs: 60_000, timeoutMs: 300 } });
    expect(silent.json()).toEqual({ ok: true, written: 8, reply: [], endedBy: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('refuses a send while the device is unplugged with 409 not-open', async () => {
    const { srv, pair } = await ptyServer();
    const port = srv.registry.get('b')!;
    const waiting = new Promise<void>((resolve) => {
      const stop = port.listen({ status: (d) => d.state === 'waiting' && (stop(), resolve()) });
    });
    await pair.unplug();
    await waiting;
    const answer = await send(srv, { line: 'status' });
    expect(answer.status).toBe(409);
    expect(answer.json()).toMatchObject({ ok: false, code: 'not-open', written: 0 });
    expect(answer.json<{ error: string }>().error).toMatch(/waiting/);
  });

  it('refuses a bad body with 400 and the reason', async () => {
    const srv = await serve('demo');
    const cases: Array<[unknown, RegExp]> = [
      ['{"line":', /not valid JSON/],
      [['status'], /JSON object/],
      [{ line: 5 }, /line must be a string/],
      [{ line: 'a\nb' }, /line must be a string of one line, .*without CR or LF/],
      [{ line: 'x', ending: 'lfcr' }, /ending must be one of lf, cr, crlf, none/],
      [{ line: 'x', until: { quietMs: 0 } }, /until.quietMs must be an integer from 10 to 60000/],
      [{ line: 'x', until: { timeoutMs: 60_001 } }, /until.timeoutMs must be an integer from 10 to 60000/],
      [{ line: 'x', until: { prompt: '  ' } }, /until.prompt must be a non-blank string/],
      [{ line: 'x', until: { wait: 1 } }, /unknown field "until.wait"/],
      [{ line: 'x', id: 1 }, /unknown field "id"/],
      [{ line: 'x'.repeat(4097) }, /line must be .*at most 4096 bytes/],
      [{ line: 'é'.repeat(2049) }, /line must be .*at most 4096 bytes of UTF-8.*got 4098 bytes/],
    ];
    for (const [body, reason] of cases) {
      const answer = await send(srv, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json(), JSON.stringify(body)).toMatchObject({ code: 'bad-request', error: expect.stringMatching(reason) });
    }
    expect((await request(srv.url, 'api/ports/b/send')).status).toBe(405);
  });
});
