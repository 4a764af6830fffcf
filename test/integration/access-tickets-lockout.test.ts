// Tickets and the login lockout against a real server: a ticket opens one WebSocket or EventSource
// and no more; repeated wrong tokens lock an address out (HTTP 429, WebSocket 1013) until it expires.
import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../server/access/credentials.js';
import type { RunningServer } from '../../server/start.js';
import type { ConfigInput } from '../../server/config.js';
import type { TicketResponse, WhoAmI } from '../../server/wire/api.js';
import { CloseCode } from '../../server/wire/protocol.js';
import { startTestServer } from '../helpers/test-server.js';
import { connect } from '../helpers/ws-client.js';

const ALICE = 'alice-0123456789abcdefghij';
const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const serve = async (config: ConfigInput = {}, logs: string[] = []) => {
  const server = await startTestServer({ tokens: [{ name: 'alice', hash: hashToken(ALICE), role: 'operator' }], ...config }, { logs });
  servers.push(server);
  return server;
};
const bearer = { authorization: `Bearer ${ALICE}` };

async function ticket(server: RunningServer): Promise<string> {
  const res = await fetch(`${server.url}api/tickets`, { method: 'POST', headers: bearer });
  expect(res.status).toBe(200);
  const body = (await res.json()) as TicketResponse;
  expect(body.expiresInMs).toBeGreaterThan(0);
  return body.ticket;
}

describe('tickets', () => {
  it('open one WebSocket as whoever fetched them, and are refused the second time', async () => {
    const server = await serve();
    const t = await ticket(server);
    const client = await connect(server.url, { query: `ticket=${t}` });
    const hello = await client.message('hello');
    expect(hello).toMatchObject({ name: 'alice', role: 'operator', readOnly: false });
    const again = await connect(server.url, { query: `ticket=${t}` });
    const closed = await again.closed;
    expect(closed.code).toBe(CloseCode.policyViolation);
    expect(closed.reason).toMatch(/ticket unknown, used or expired/);
    await client.close();
  });

  it('open one EventSource stream; a spent one is refused with 401', async () => {
    const server = await serve();
    const t = await ticket(server);
    const controller = new AbortController();
    const first = await fetch(`${server.url}api/ports/demo/events?ticket=${t}`, { signal: controller.signal });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/text\/event-stream/);
    controller.abort();
    const second = await fetch(`${server.url}api/ports/demo/events?ticket=${t}`);
    expect(second.status).toBe(401);
    expect(await second.json()).toEqual({ error: 'ticket unknown, used or expired; fetch a new one' });
  });

  it('are not given without credentials', async () => {
    const server = await serve();
    const res = await fetch(`${server.url}api/tickets`, { method: 'POST' });
    expect(res.status).toBe(401);
  });

  it('GET /api/me names the asker and their role on each port', async () => {
    const server = await serve();
    const me = (await (await fetch(`${server.url}api/me`, { headers: bearer })).json()) as WhoAmI;
    expect(me).toEqual({ name: 'alice', via: 'token', roles: { demo: 'operator' } });
  });
});

describe('lockout', () => {
  it('locks an address out after repeated wrong tokens, says so in the log without the token, and lets it back in after', async () => {
    const logs: string[] = [];
    const server = await serve({ lockout: { attempts: 3, window: '1m', duration: '2s' } }, logs);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}api/ports`, { headers: { authorization: 'Bearer wrong-guess-123456' } });
      expect(res.status).toBe(401);
    }
    // Locked: even the right token is refused, over HTTP and WebSocket, with how long to wait.
    const locked = await fetch(`${server.url}api/ports`, { headers: bearer });
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(((await locked.json()) as { error: string }).error).toMatch(/too many failed logins/);
    const ws = await connect(server.url, { headers: bearer });
    expect((await ws.closed).code).toBe(CloseCode.tryAgainLater);
    expect(logs.filter((line) => /^failed login from 127\.0\.0\.1: wrong token$/.test(line))).toHaveLength(3);
    expect(logs.some((line) => /^locked out 127\.0\.0\.1 for 2 s after 3 failed logins$/.test(line))).toBe(true);
    expect(logs.join('\n')).not.toContain('wrong-guess-123456');
    expect(logs.join('\n')).not.toContain(ALICE);

    // Expiry: wait out the Retry-After the server gave (the lockout's own clock; nothing to await but time).
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    const after = await fetch(`${server.url}api/ports`, { headers: bearer });
    expect(after.status).toBe(200);
  });
});
