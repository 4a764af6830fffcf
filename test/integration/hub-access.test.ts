// Access rules and bad input, against a real server on port 0 with the demo board behind it.
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import type { RunningServer } from '../../server/start.js';
import type { ConfigInput } from '../../server/config.js';
import { startTestServer } from '../helpers/test-server.js';
import { CloseCode, MAX_CONTROL_BYTES, MAX_WRITE_FRAME_BYTES } from '../../server/wire/protocol.js';
import { connect } from '../helpers/ws-client.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const serve = async (config: ConfigInput = {}) => {
  const server = await startTestServer(config);
  servers.push(server);
  return server;
};

/** A raw HTTP GET, so tests can set any Host header and see redirects and cookies as they are. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('access rules', () => {
  it('listens on loopback without a token by default, and serves the page and the console', async () => {
    const server = await serve();
    expect(server.config.host).toBe('127.0.0.1');
    expect(server.config.token).toBeNull();
    const page = await get(server.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
    const client = await connect(server.url);
    const hello = await client.message('hello');
    expect(hello).toMatchObject({ protocol: 2, port: 'demo', mode: 'lossless', readOnly: false, device: { path: 'demo' } });
    await client.close();
  });

  it('generates a token off loopback and refuses the page and the socket without it', async () => {
    const server = await serve({ host: '0.0.0.0' });
    expect(server.config.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(server.openUrl).toContain(`?token=${server.config.token}`);
    expect((await get(server.url)).status).toBe(401);
    expect((await get(`${server.url}api/status`)).body).toContain('token required');
    const refused = await connect(server.url);
    expect(await refused.closed).toEqual({ code: CloseCode.policyViolation, reason: 'token required' });
    const wrong = await connect(server.url, { headers: { Authorization: 'Bearer not-the-token' } });
    expect((await wrong.closed).code).toBe(CloseCode.policyViolation);
  });

  it('trades ?token= for an HttpOnly cookie that then opens the page and the socket', async () => {
    const server = await serve({ host: '127.0.0.1', token: 'a-token-for-tests' });
    const first = await get(server.openUrl);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(String(first.headers['set-cookie'])).toMatch(/httponly/i);
    expect(String(first.headers['set-cookie'])).toMatch(/samesite=strict/i);
    expect((await get(server.url, { cookie })).status).toBe(200);
    const client = await connect(server.url, { headers: { cookie } });
    await client.message('hello');
    const bearer = await connect(server.url, { headers: { Authorization: 'Bearer a-token-for-tests' } });
    await bearer.message('hello');
    await Promise.all([client.close(), bearer.close()]);
  });

  it('refuses a cross-origin upgrade and accepts the same origin and an allowlisted one', async () => {
    const server = await serve({ allowedOrigins: ['http://dash.lan'] });
    const evil = await connect(server.url, { origin: 'http://evil.example' });
    expect(await evil.closed).toEqual({ code: CloseCode.policyViolation, reason: 'origin not allowed' });
    const same = await connect(server.url, { origin: server.url.replace(/\/$/, '') });
    await same.message('hello');
    const listed = await connect(server.url, { origin: 'http://dash.lan' });
    await listed.message('hello');
    await Promise.all([same.close(), listed.close()]);
  });

  it('refuses a rebinding Host on a token-less server', async () => {
    const server = await serve();
    const res = await get(server.url, { host: `evil.example:${new URL(server.url).port}` });
    expect(res.status).toBe(403);
  });

  it('caps the number of clients with close code 1013', async () => {
    const server = await serve({ maxClients: 2 });
    const a = await connect(server.url);
    const b = await connect(server.url);
    await Promise.all([a.message('hello'), b.message('hello')]);
    const c = await connect(server.url);
    expect((await c.closed).code).toBe(CloseCode.tryAgainLater);
    await a.close();
    const d = await connect(server.url);
    await d.message('hello');
    await Promise.all([b.close(), d.close()]);
  });
});

describe('bad input', () => {
  it('answers malformed and unknown control frames with an error and keeps serving', async () => {
    const server = await serve();
    const client = await connect(server.url);
    await client.untilText('READY'); // the device is open
    client.ws.send('this is not json');
    client.ws.send('{"type":"reboot-the-moon"}');
    client.ws.send('x'.repeat(MAX_CONTROL_BYTES + 1));
    await client.until(() => client.messages.filter((m) => m.type === 'error').length === 3, 'three errors');
    expect(client.messages.filter((m) => m.type === 'error').map((m) => (m as { code: string }).code)).toEqual([
      'bad-message',
      'bad-message',
      'too-big',
    ]);
    client.sendBytes('echo still here\n');
    await client.untilText('still here');
    await client.close();
  });

  it('closes a socket that sends an oversized binary frame with 1009, and the server lives on', async () => {
    const server = await serve();
    const big = await connect(server.url);
    await big.message('hello');
    big.sendBytes(new Uint8Array(MAX_WRITE_FRAME_BYTES + 1));
    expect((await big.closed).code).toBe(CloseCode.tooBig);
    const next = await connect(server.url);
    await next.message('hello');
    await next.close();
  });

  it('in read-only mode shows output but refuses writes and settings', async () => {
    const server = await serve({ readOnly: true });
    const client = await connect(server.url);
    expect((await client.message('hello')).readOnly).toBe(true);
    await client.untilText('READY');
    client.sendBytes('help\n');
    client.send({ type: 'set-baud', baudRate: 9600 });
    await client.until(() => client.messages.filter((m) => m.type === 'error').length === 2, 'two errors');
    expect(client.messages.filter((m) => m.type === 'error').every((m) => (m as { code: string }).code === 'read-only')).toBe(true);
    const res = await fetch(`${server.url}api/write`, { method: 'POST', body: 'help\n' });
    expect(res.status).toBe(403);
    await client.close();
  });
});

describe('HTTP API', () => {
  it('reports status and writes a POST body to the device', async () => {
    const server = await serve();
    const client = await connect(server.url);
    await client.untilText('READY');
    const status = (await (await fetch(`${server.url}api/status`)).json()) as { device: { state: string; path: string }; clients: number };
    expect(status).toMatchObject({ device: { state: 'open', path: 'demo' }, clients: 1 });
    const res = await fetch(`${server.url}api/write`, { method: 'POST', body: 'echo via http\n' });
    expect(await res.json()).toEqual({ ok: true, written: 14 });
    await client.untilText('via http');
    const cross = await fetch(`${server.url}api/write`, { method: 'POST', body: 'x', headers: { origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    await client.close();
  });
});

describe('connection query', () => {
  it('says what is wrong with a bad mode or offset, and serves the connection with the defaults', async () => {
    const server = await serve();
    const client = await connect(server.url, { query: 'mode=fast&offset=-3' });
    const hello = await client.message('hello');
    expect(hello.mode).toBe('lossless');
    await client.until(() => client.messages.filter((m) => m.type === 'error').length === 2, 'two errors');
    const errors = client.messages.filter((m) => m.type === 'error').map((m) => (m as { message: string }).message);
    expect(errors[0]).toMatch(/mode must be lossless or live, got "fast"/);
    expect(errors[1]).toMatch(/offset must be a whole number, got "-3"/);
    await client.untilText('READY');
    await client.close();
  });
});

describe('the log', () => {
  it('tells device states, clients arriving and leaving, and refused connections, never the token', async () => {
    const logs: string[] = [];
    const server = await startTestServer({ host: '127.0.0.1', token: 'a-secret-for-logs' }, { logs });
    servers.push(server);
    const client = await connect(server.url, { query: 'token=a-secret-for-logs' });
    await client.untilText('READY');
    const refused = await connect(server.url, { query: 'token=wrong-token-here' });
    await refused.closed;
    await client.close();
    const deadline = Date.now() + 5000;
    while (!logs.some((line) => /left \/ws/.test(line)) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(logs.some((line) => /^demo: open demo at 115200 baud/.test(line))).toBe(true);
    expect(logs.some((line) => /^ws:\d+@127\.0\.0\.1 \(admin, admin\) connected to \/ws/.test(line))).toBe(true);
    expect(logs.some((line) => /^refused a WebSocket from 127\.0\.0\.1 to \/ws\?token=…: wrong token$/.test(line))).toBe(true);
    expect(logs.some((line) => /^failed login from 127\.0\.0\.1: wrong token$/.test(line))).toBe(true);
    expect(logs.some((line) => /left \/ws \(close code 1005\)/.test(line))).toBe(true);
    expect(logs.join('\n')).not.toMatch(/a-secret-for-logs|wrong-token-here/);
  });
});

describe('the verbose log', () => {
  it('tells every command and refusal, with who sent it', async () => {
    const logs: string[] = [];
    const server = await startTestServer({ readOnly: true }, { logs, verbosity: 'verbose' });
    servers.push(server);
    const client = await connect(server.url);
    await client.untilText('READY');
    client.send({ type: 'set-baud', baudRate: 9600, id: 1 });
    await client.message('result');
    expect(logs.some((line) => /^demo: ws:\d+@127\.0\.0\.1 set-baud: refused \(read-only\)/.test(line))).toBe(true);
    await client.close();
  });
});

describe('static paths', () => {
  /** A raw request with the path exactly as given (fetch would normalise `..` away, as curl does without --path-as-is). */
  const rawGet = (url: string, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const { hostname, port } = new URL(url);
      const req = request({ hostname, port, path, method: 'GET' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('answers a path outside the client, or with a NUL, with a 4xx and leaks nothing', async () => {
    const server = await serve();
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/%00', '/assets/..%2f..%2fpackage.json']) {
      const res = await rawGet(server.url, path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.body, path).not.toContain('"name": "serialdeck"');
    }
  });
});
