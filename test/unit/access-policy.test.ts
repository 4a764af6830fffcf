import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { AccessPolicy, type AccessSettings } from '../../server/access/access-policy.js';
import { hashToken } from '../../server/access/credentials.js';
import { TICKET_TTL_MS } from '../../server/access/tickets.js';
import { roleAllows } from '../../server/wire/roles.js';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef';

function settings(over: Partial<AccessSettings> = {}): AccessSettings {
  return {
    token: null,
    tokens: [
      { name: 'alice', hash: hashToken(ALICE), role: 'operator', ports: { printer: 'admin' } },
      { name: 'bob', hash: hashToken(BOB), role: null, ports: { sensor: 'viewer' } },
    ],
    anonymous: null,
    readOnly: false,
    lockout: { attempts: 3, windowMs: 60_000, durationMs: 30_000 },
    ...over,
  };
}

function request(headers: Record<string, string>, address = '127.0.0.1'): IncomingMessage {
  return { headers: { host: '127.0.0.1:8080', ...headers }, socket: { remoteAddress: address } } as unknown as IncomingMessage;
}
const url = (query = '') => new URL(`/ws${query}`, 'http://127.0.0.1:8080');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('AccessPolicy', () => {
  it('gives each named token its role per port, and nothing where it has none', () => {
    const policy = new AccessPolicy(settings());
    const alice = policy.identify(request(bearer(ALICE)), url());
    const bob = policy.identify(request(bearer(BOB)), url());
    if (!alice.ok || !bob.ok) throw new Error('both tokens should be accepted');
    expect(alice.principal.name).toBe('alice');
    expect(alice.principal.roleOn('printer')).toBe('admin');
    expect(alice.principal.roleOn('sensor')).toBe('operator');
    expect(bob.principal.roleOn('sensor')).toBe('viewer');
    expect(bob.principal.roleOn('printer')).toBeNull();
  });

  it('makes --token an admin everywhere, and --read-only caps every role at viewer', () => {
    const admin = new AccessPolicy(settings({ token: 'quick-admin-token' })).tokenPrincipal('quick-admin-token');
    expect(admin?.name).toBe('admin');
    expect(admin?.roleOn('anything')).toBe('admin');
    const capped = new AccessPolicy(settings({ token: 'quick-admin-token', readOnly: true })).tokenPrincipal('quick-admin-token');
    expect(capped?.roleOn('anything')).toBe('viewer');
    expect(roleAllows(capped?.roleOn('anything') ?? null, 'write')).toBe(false);
  });

  it('lets anonymous loopback requests in as admin only when no token is configured', () => {
    const open = new AccessPolicy(settings({ tokens: [] }));
    const ok = open.identify(request({}), url());
    expect(ok.ok && ok.principal.name === 'anonymous' && ok.principal.roleOn('x')).toBe('admin');
    const closed = new AccessPolicy(settings());
    expect(closed.identify(request({}), url())).toMatchObject({ ok: false, status: 401 });
  });

  it('guards anonymous access against DNS rebinding and other machines', () => {
    const open = new AccessPolicy(settings({ tokens: [], anonymous: 'viewer' }));
    expect(open.identify(request({ host: 'evil.example:8080' }), url())).toMatchObject({ ok: false, status: 403 });
    expect(open.identify(request({}, '192.168.1.20'), url())).toMatchObject({ ok: false, status: 401 });
    const ok = open.identify(request({}, '::ffff:127.0.0.1'), url());
    expect(ok.ok && ok.principal.roleOn('x')).toBe('viewer');
  });

  it('redeems a ticket once, for whoever it was issued to, and not after it expires', () => {
    let now = 1_000;
    const policy = new AccessPolicy(settings(), {}, () => now);
    const alice = policy.tokenPrincipal(ALICE);
    if (!alice) throw new Error('alice');
    const ticket = policy.issueTicket(alice);
    const first = policy.identify(request({}), url(`?ticket=${ticket}`));
    expect(first.ok && first.principal.name).toBe('alice');
    expect(policy.identify(request({}), url(`?ticket=${ticket}`))).toMatchObject({ ok: false, status: 401 });
    // A spent ticket with the page's cookie still gets in (an EventSource reconnecting with its old URL).
    const withCookie = policy.identify(request({ cookie: `serialdeck_token=${ALICE}` }), url(`?ticket=${ticket}`));
    expect(withCookie.ok && withCookie.principal.name).toBe('alice');
    const late = policy.issueTicket(alice);
    now += TICKET_TTL_MS;
    expect(policy.identify(request({}), url(`?ticket=${late}`))).toMatchObject({ ok: false, status: 401 });
  });

  it('locks an address out after repeated failures, reports it once, and lets it back in after the lockout', () => {
    let now = 0;
    const events: Array<[string, number]> = [];
    const policy = new AccessPolicy(settings(), { failedLogin: (address, _reason, locked) => events.push([address, locked]) }, () => now);
    for (let i = 0; i < 3; i++) expect(policy.identify(request(bearer('wrong-token-000000'), '10.0.0.9'), url())).toMatchObject({ status: 401 });
    expect(events.map(([, locked]) => locked > 0)).toEqual([false, false, true]);
    // Locked: even the right token is refused, with how long to wait.
    const locked = policy.identify(request(bearer(ALICE), '10.0.0.9'), url());
    expect(locked).toMatchObject({ ok: false, status: 429, retryAfterMs: 30_000 });
    // Another address is not affected.
    expect(policy.identify(request(bearer(ALICE), '10.0.0.10'), url()).ok).toBe(true);
    now += 30_000;
    expect(policy.identify(request(bearer(ALICE), '10.0.0.9'), url()).ok).toBe(true);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const policy = new AccessPolicy(settings(), {}, () => now);
    for (let i = 0; i < 10; i++) {
      policy.identify(request(bearer('wrong-token-000000'), '10.0.0.9'), url());
      now += 31_000; // two failures per minute at most: never three within the window
    }
    expect(policy.identify(request(bearer(ALICE), '10.0.0.9'), url()).ok).toBe(true);
  });
});
