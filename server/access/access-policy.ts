// The one access policy for every way in (the HTTP API and page, WebSocket upgrades, SSE, MQTT
// input): who a request is (a ticket, a token, or anonymous on loopback), their role on each port,
// and the lockout of addresses that keep presenting wrong credentials. Roles: wire/roles.ts.
import type { IncomingMessage } from 'node:http';
import { weakerRole, type Role } from '../wire/roles.js';
import { credentialRole, hashToken, type Credential } from './credentials.js';
import { isLoopbackHost, isLoopbackHostHeader } from './loopback.js';
import { LoginLockout, type LockoutSettings } from './login-lockout.js';
import { TicketBook } from './tickets.js';
import { presentedToken, tokensEqual } from './token.js';

/** The name `--token` (the quick admin token) goes by in the who-list, capture and audit. */
export const ADMIN_TOKEN_NAME = 'admin';
/** The name of whoever comes in without credentials (on loopback). */
export const ANONYMOUS_NAME = 'anonymous';

/** Who a request is, and what they may do where. */
export interface Principal {
  /** A credential's name, `admin` for --token, or `anonymous`. */
  readonly name: string;
  /** How they proved it. */
  readonly via: 'token' | 'anonymous';
  /** Their role on port `id` (capped by --read-only); null: no access to it. */
  roleOn(id: string): Role | null;
}

/** What the policy is built from (resolved config). */
export interface AccessSettings {
  /** `--token`: admin on every port. */
  token: string | null;
  /** Named tokens from the config. */
  tokens: readonly Credential[];
  /** Role of token-less requests from this machine; null: admin when no token is configured at all, else none. */
  anonymous: Role | 'none' | null;
  /** Caps every role at viewer. */
  readOnly: boolean;
  lockout: LockoutSettings;
}

/** The outcome of identifying a request: a principal, or the status and reason to refuse it with. */
export type Identity =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403 | 429; reason: string; retryAfterMs?: number };

/** Hooks for what the log and audit record. Never given a token. */
export interface AccessObserver {
  /** A wrong token or ticket from `address`; `lockedOutMs` > 0 when this failure locked the address out. */
  failedLogin?(address: string, reason: string, lockedOutMs: number): void;
}

/** The policy of one server. */
export class AccessPolicy {
  private readonly lockout: LoginLockout;
  private readonly tickets: TicketBook<Principal>;
  private readonly byHash = new Map<string, Credential>();
  private readonly anonymousRole: Role | null;

  constructor(
    private readonly settings: AccessSettings,
    private readonly observer: AccessObserver = {},
    now: () => number = Date.now,
  ) {
    this.lockout = new LoginLockout(settings.lockout, now);
    this.tickets = new TicketBook(now);
    for (const credential of settings.tokens) this.byHash.set(credential.hash, credential);
    const anyCredential = settings.token !== null || settings.tokens.length > 0;
    const anonymous = settings.anonymous ?? (anyCredential ? 'none' : 'admin');
    this.anonymousRole = anonymous === 'none' ? null : anonymous;
  }

  /** True when some request needs credentials (anything but anonymous loopback access is configured). */
  get requiresCredentials(): boolean {
    return this.anonymousRole === null;
  }

  /**
   * Who `req` is: a `ticket` query parameter (WebSocket and EventSource URLs), else a token (bearer,
   * cookie, `token` query), else anonymous when allowed: from this machine, with a loopback Host
   * (the DNS-rebinding guard). Wrong credentials count towards the address's lockout.
   */
  identify(req: IncomingMessage, url: URL): Identity {
    const address = req.socket.remoteAddress ?? 'unknown';
    const locked = this.lockout.lockedFor(address);
    if (locked > 0) return { ok: false, status: 429, reason: `too many failed logins from ${address}; try again in ${Math.ceil(locked / 1000)} s`, retryAfterMs: locked };
    const ticket = url.searchParams.get('ticket');
    const ticketHolder = ticket === null ? undefined : this.tickets.redeem(ticket);
    if (ticketHolder) return this.succeeded(address, ticketHolder);
    // A spent ticket falls back to the request's other credentials: a browser's EventSource reconnects
    // with the URL it was given, and the page's cookie (or anonymous loopback access) still speaks for it.
    const spent = ticket === null ? '' : 'ticket unknown, used or expired; fetch a new one';
    const token = presentedToken(req, url);
    if (token !== null) {
      const principal = this.tokenPrincipal(token);
      return principal ? this.succeeded(address, principal) : this.failed(address, 'wrong token');
    }
    if (this.anonymousRole === null) return spent ? this.failed(address, spent) : { ok: false, status: 401, reason: 'token required' };
    if (!isLoopbackHostHeader(req.headers.host))
      return { ok: false, status: 403, reason: `Host ${JSON.stringify(req.headers.host ?? '')} is not loopback (DNS-rebinding guard); use http://127.0.0.1 or localhost` };
    if (!isLoopbackHost(address.replace(/^::ffff:/, ''))) return spent ? this.failed(address, spent) : { ok: false, status: 401, reason: 'token required from another machine' };
    return { ok: true, principal: this.principal(ANONYMOUS_NAME, 'anonymous', () => this.anonymousRole) };
  }

  /** The principal a token stands for (--token or a named token), or null. Does not count failures (see identify). */
  tokenPrincipal(token: string): Principal | null {
    if (this.settings.token !== null && tokensEqual(token, this.settings.token))
      return this.principal(ADMIN_TOKEN_NAME, 'token', () => 'admin');
    // A lookup by hash: the hash of a random token leaks nothing worth timing.
    const credential = this.byHash.get(hashToken(token));
    return credential ? this.principal(credential.name, 'token', (id) => credentialRole(credential, id)) : null;
  }

  /** A single-use ticket standing for `principal` (POST /api/tickets). */
  issueTicket(principal: Principal): string {
    return this.tickets.issue(principal);
  }

  private principal(name: string, via: Principal['via'], role: (id: string) => Role | null): Principal {
    const cap: Role = this.settings.readOnly ? 'viewer' : 'admin';
    return { name, via, roleOn: (id) => weakerRole(role(id), cap) };
  }

  private succeeded(address: string, principal: Principal): Identity {
    this.lockout.succeed(address);
    return { ok: true, principal };
  }

  private failed(address: string, reason: string): Identity {
    const lockedOut = this.lockout.fail(address);
    const lockedOutMs = lockedOut ? this.lockout.lockedFor(address) : 0;
    this.observer.failedLogin?.(address, reason, lockedOutMs);
    return { ok: false, status: 401, reason };
  }
}
