// The audit trail against real parts: a socat pty as the device, ten writers at once (WebSocket
// clients and HTTP writes, each with its own named token), and the log read back through GET
// /api/audit. Every byte that reached the device appears exactly once, in order, attributed; control
// changes, refusals, attaches, detaches, SSE clients, failed logins and the lockout are recorded;
// files rotate; the download filters and is refused to anyone but an admin; no token is ever written.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../server/access/credentials.js';
import type { AuditEntry } from '../../server/audit/audit-types.js';
import { createPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { pollUntil, request } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { connect, type TestClient } from '../helpers/ws-client.js';
import { untilOpen } from './api-helpers.js';

const PORT = 'b';
const WS_WRITERS = 6;
const HTTP_WRITERS = 4;
const WRITES_EACH = 12;
const token = (name: string): string => `${name}-token-for-the-audit-test-7f3a`;
const writers = Array.from({ length: WS_WRITERS + HTTP_WRITERS }, (_, i) => `w${i}`);
/** A viewer, an operator, an admin of everything, and pam: admin of port b only, viewer elsewhere. */
const OTHERS = [
  { name: 'vera', role: 'viewer' },
  { name: 'otto', role: 'operator' },
  { name: 'ada', role: 'admin' },
  { name: 'pam', role: 'viewer', ports: { [PORT]: 'admin' } },
] as const;
const bearer = (name: string): Record<string, string> => ({ Authorization: `Bearer ${token(name)}` });
const WRONG_TOKEN = 'a-wrong-token-nobody-has-0000';

/** Write `i` of `name`: its name (for attribution), a counter, and bytes that are not text (0x00, 0xff, an escape). */
function payload(name: string, i: number): Buffer {
  return Buffer.concat([Buffer.from(`${name}:${i}:`), Buffer.from([0x00, 0xff, 0x1b, 0x80 + i]), Buffer.from('\r\n')]);
}

/** Polls (the audit has no event a test can await) until `check` holds. */
const eventually = (check: () => Promise<boolean>, what: string): Promise<boolean> => pollUntil(check, (ok) => ok, what);

let pair: PtyPair;
let srv: TestServer;
const logs: string[] = [];

async function audit(query = '', who = 'ada'): Promise<AuditEntry[]> {
  const answer = await request(srv.url, `api/audit${query}`, { headers: bearer(who) });
  expect(answer.status, answer.text()).toBe(200);
  expect(answer.headers.get('content-type')).toContain('application/x-ndjson');
  return answer
    .text()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEntry);
}

beforeAll(async () => {
  pair = await createPtyPair();
  srv = await startTestServer(
    {
      ports: [{ id: PORT, path: pair.devicePath }, { id: 'd', path: 'demo' }],
      tokens: [...writers.map((name) => ({ name, role: 'operator' })), ...OTHERS].map((person) => ({ ...person, hash: hashToken(token(person.name)) })),
      lockout: { attempts: 3, window: '1m', duration: '2s' },
      audit: { fileSize: '8KiB', total: '4MiB' },
    },
    { logs, verbosity: 'verbose' },
  );
  await untilOpen(srv);
});

afterAll(async () => {
  await srv?.close();
  await pair?.close();
});

describe('audit trail', () => {
  it('records every byte that reached the device exactly once, in order, attributed, under ten concurrent writers', async () => {
    const clients: TestClient[] = [];
    for (const name of writers.slice(0, WS_WRITERS)) {
      const client = await connect(srv.url, { path: `ws/${PORT}`, headers: bearer(name) });
      await client.message('hello');
      clients.push(client);
    }
    let expected = 0;
    for (const name of writers) for (let i = 0; i < WRITES_EACH; i++) expected += payload(name, i).length;
    await Promise.all([
      ...clients.map(async (client, c) => {
        for (let i = 0; i < WRITES_EACH; i++) client.sendBytes(payload(writers[c]!, i));
      }),
      ...writers.slice(WS_WRITERS).map(async (name) => {
        for (let i = 0; i < WRITES_EACH; i++) {
          const answer = await request(srv.url, `api/ports/${PORT}/write`, { method: 'POST', body: new Uint8Array(payload(name, i)), headers: bearer(name) });
          expect(answer.status, answer.text()).toBe(200);
        }
      }),
    ]);
    const atDevice = Buffer.from(await pair.board.readBytes(expected));
    for (const client of clients) await client.close();

    const entries = await audit(`?port=${PORT}`);
    const writes = entries.filter((e) => e.kind === 'write').sort((a, b) => Number(a.details.writeOffset) - Number(b.details.writeOffset));
    expect(writes).toHaveLength(writers.length * WRITES_EACH);
    // Contiguous write offsets: no write twice, none missing.
    let offset = Number(writes[0]!.details.writeOffset);
    for (const write of writes) {
      expect(write.details.writeOffset).toBe(offset);
      offset += Number(write.details.length);
    }
    // The device got exactly the audited bytes, in the audited order.
    const audited = Buffer.concat(writes.map((w) => Buffer.from(String(w.details.base64), 'base64')));
    expect(audited.length).toBe(expected);
    expect(audited.equals(atDevice)).toBe(true);
    // Each write attributed to whoever sent it, with the way in.
    for (const write of writes) {
      const bytes = Buffer.from(String(write.details.base64), 'base64');
      expect(bytes.toString('latin1').split(':')[0]).toBe(write.who);
      expect(write.source).toMatch(Number(write.who!.slice(1)) < WS_WRITERS ? /^ws:\d+@/ : /^http@/);
      expect(write.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(write.details.text).toContain('\\x00');
    }
    // And how many bytes of each reached the device.
    const results = new Map(entries.filter((e) => e.kind === 'write-result').map((e) => [e.details.writeOffset, e.details]));
    for (const write of writes) expect(results.get(write.details.writeOffset)).toMatchObject({ ok: true, written: write.details.length });
    // Every WebSocket writer attached and detached.
    for (const name of writers.slice(0, WS_WRITERS)) {
      expect(entries.some((e) => e.kind === 'attach' && e.who === name && e.details.via === 'ws' && e.details.role === 'operator')).toBe(true);
      await eventually(async () => (await audit(`?who=${name}`)).some((e) => e.kind === 'detach'), `${name}'s detach`);
    }
  });

  it('records control changes with their result, and refusals from the command path and the API', async () => {
    const ada = await connect(srv.url, { path: `ws/${PORT}`, headers: bearer('ada') });
    const otto = await connect(srv.url, { path: `ws/${PORT}`, headers: bearer('otto') });
    const vera = await connect(srv.url, { path: `ws/${PORT}`, headers: bearer('vera') });
    for (const c of [ada, otto, vera]) await c.message('hello');
    ada.send({ type: 'set-baud', baudRate: 57600, id: 1 });
    await ada.until(() => ada.messages.some((m) => m.type === 'result' && m.id === 1), 'the baud change answered');
    ada.send({ type: 'reset', ms: 20, id: 2 });
    await ada.until(() => ada.messages.some((m) => m.type === 'result' && m.id === 2), 'the reset answered');
    otto.send({ type: 'set-baud', baudRate: 9600, id: 3 });
    await otto.until(() => otto.messages.some((m) => m.type === 'result' && m.id === 3), 'the refusal');
    vera.sendBytes('let me in\r');
    await vera.until(() => vera.messages.some((m) => m.type === 'error'), "the viewer's refusal");
    const command = await request(srv.url, `api/ports/${PORT}/command`, { method: 'POST', body: JSON.stringify({ type: 'set-baud', baudRate: 9600 }), headers: { ...bearer('otto'), 'Content-Type': 'application/json' } });
    expect(command.status).toBe(403);
    for (const c of [ada, otto, vera]) await c.close();

    const entries = await audit(`?port=${PORT}`);
    expect(entries.find((e) => e.kind === 'control' && e.details.command === 'set-baud' && e.who === 'ada')).toMatchObject({ details: { baudRate: 57600, ok: true } });
    // A pty has no modem lines: the reset is refused by the device, and the audit says so.
    expect(entries.find((e) => e.kind === 'control' && e.details.command === 'reset')).toMatchObject({ who: 'ada', details: { ms: 20 } });
    expect(entries.find((e) => e.kind === 'refused' && e.who === 'otto' && e.source.startsWith('ws:'))).toMatchObject({ details: { command: 'set-baud', ok: false, code: 'forbidden' } });
    expect(entries.find((e) => e.kind === 'refused' && e.who === 'vera')).toMatchObject({ details: { command: 'write', length: 10, code: 'read-only' } });
    expect(entries.find((e) => e.kind === 'refused' && e.who === 'otto' && e.source.startsWith('http@'))).toMatchObject({ details: { command: 'set-baud', code: 'forbidden' } });
  });

  it('refuses the download to viewers and operators (403, recorded), and gives a port admin only their ports', async () => {
    const onDemo = await connect(srv.url, { path: 'ws/d', headers: bearer('ada') });
    await onDemo.message('hello');
    await onDemo.close();
    for (const who of ['vera', 'otto']) {
      const answer = await request(srv.url, 'api/audit', { headers: bearer(who) });
      expect(answer.status).toBe(403);
      expect(answer.json<{ error: string; code: string }>()).toMatchObject({ code: 'forbidden' });
    }
    const all = await audit();
    expect(all.filter((e) => e.kind === 'refused' && e.details.path === '/api/audit').map((e) => e.who).sort()).toEqual(['otto', 'vera']);
    expect(all.some((e) => e.port === 'd' && e.kind === 'attach')).toBe(true);
    const pams = await audit('', 'pam');
    expect(pams.length).toBeGreaterThan(0);
    expect(pams.every((e) => e.port === PORT)).toBe(true);
  });

  it('filters by time, port and person', async () => {
    const all = await audit();
    expect(new Set(all.map((e) => e.port))).toEqual(new Set([null, PORT, 'd']));
    const w3 = await audit('?who=w3');
    expect(w3.length).toBeGreaterThan(WRITES_EACH);
    expect(w3.every((e) => e.who === 'w3')).toBe(true);
    expect(await audit('?port=nope')).toEqual([]);
    const middle = all[Math.floor(all.length / 2)]!.time;
    const since = await audit(`?since=${encodeURIComponent(middle)}`);
    const until = await audit(`?until=${encodeURIComponent(middle)}`);
    expect(since.every((e) => e.time >= middle)).toBe(true);
    expect(until.every((e) => e.time < middle)).toBe(true);
    expect(since.length + until.length).toBeGreaterThanOrEqual(all.length);
    expect((await request(srv.url, 'api/audit?since=yesterday-ish', { headers: bearer('ada') })).status).toBe(400);
  });

  it('records SSE clients attaching and detaching', async () => {
    const abort = new AbortController();
    const response = await fetch(new URL(`api/ports/${PORT}/events`, srv.url), { headers: bearer('vera'), signal: abort.signal });
    expect(response.status).toBe(200);
    await eventually(async () => (await audit('?who=vera')).some((e) => e.kind === 'attach' && e.details.via === 'sse'), 'the SSE attach');
    abort.abort();
    await eventually(async () => (await audit('?who=vera')).some((e) => e.kind === 'detach' && e.details.via === 'sse'), 'the SSE detach');
  });

  it('rotates its files within the total', async () => {
    const dir = join(srv.dataDir, 'audit');
    const files = (await readdir(dir)).filter((name) => name.endsWith('.ndjson')).sort();
    expect(files.length).toBeGreaterThan(2);
    const first = (await readFile(join(dir, files[1]!), 'utf8')).split('\n')[0]!;
    expect(JSON.parse(first)).toMatchObject({ kind: 'audit-file', details: { writeOffsets: {} } });
  });

  it('records failed logins and the lockout, and never writes a token to the audit or the log', async () => {
    // A session with every way of presenting a token: bearer, ?token= (traded for a cookie), the cookie.
    const traded = await fetch(new URL(`?token=${token('ada')}`, srv.url), { redirect: 'manual' });
    expect(traded.status).toBe(303);
    const cookie = traded.headers.get('set-cookie')!.split(';')[0]!;
    expect((await request(srv.url, `api/ports/${PORT}`, { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await request(srv.url, `api/ports/${PORT}?token=${token('otto')}`, { redirect: 'manual' })).status).toBe(303);
    const ws = await connect(srv.url, { path: 'ws/d', query: `token=${token('w1')}` });
    await ws.message('hello');
    await ws.close();

    for (let i = 0; i < 3; i++) expect((await request(srv.url, 'api/ports', { headers: { Authorization: `Bearer ${WRONG_TOKEN}` } })).status).toBe(401);
    expect((await request(srv.url, 'api/ports', { headers: bearer('ada') })).status).toBe(429);
    // The lockout expires (2 s): then the audit can be read.
    await eventually(async () => (await request(srv.url, 'api/me', { headers: bearer('ada') })).status === 200, 'the lockout to expire');
    const entries = await audit();
    const failed = entries.filter((e) => e.kind === 'login-failed');
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed.at(-1)).toMatchObject({ port: null, who: null, details: { reason: 'wrong token' } });
    expect(failed.at(-1)!.source).toMatch(/^login@/);
    expect(entries.find((e) => e.kind === 'lockout')).toMatchObject({ details: { durationMs: 2000 } });

    const dir = join(srv.dataDir, 'audit');
    const onDisk = (await Promise.all((await readdir(dir)).map((name) => readFile(join(dir, name), 'utf8')))).join('');
    const download = (await request(srv.url, 'api/audit', { headers: bearer('ada') })).text();
    for (const secret of [...[...writers, ...OTHERS.map((o) => o.name)].map(token), WRONG_TOKEN]) {
      expect(onDisk).not.toContain(secret);
      expect(download).not.toContain(secret);
      expect(logs.join('\n')).not.toContain(secret);
    }
    expect(onDisk).toContain('"kind":"lockout"');
  });
});
