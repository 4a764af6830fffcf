// Koa middleware that applies the access policy before anything is served: Origin on state-changing
// requests (CSRF), then who the request is (access-policy.ts: a ticket, a token, or anonymous on
// loopback behind the DNS-rebinding guard). A first visit with ?token= trades it for an HttpOnly
// cookie (the Jupyter pattern) so it leaves the address bar and history. The principal is left in
// ctx.state.principal for the API's per-port checks.
import type { Context, Middleware } from 'koa';
import type { AccessPolicy, Principal } from '../access/access-policy.js';
import { isOriginAllowed } from '../access/origin.js';
import { TOKEN_COOKIE } from '../access/token.js';

/** Cookie lifetime: a week, so a tab left open on a Pi's dashboard survives restarts of the browser. */
const TOKEN_COOKIE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** Access settings (from Config). */
export interface AccessOptions {
  access: AccessPolicy;
  allowedOrigins: readonly string[];
  /** Served over TLS: the cookie is marked Secure. */
  secure?: boolean;
}

/** The principal the access middleware identified (every request past it has one). */
export function principalOf(ctx: Context): Principal {
  return (ctx.state as { principal: Principal }).principal;
}

/** Refuses requests that fail the access rules; lets the rest through with ctx.state.principal set. */
export function accessMiddleware(options: AccessOptions): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && !isOriginAllowed(ctx.req, options.allowedOrigins)) {
      ctx.status = 403;
      ctx.body = { error: 'origin not allowed' };
      return;
    }
    const identity = options.access.identify(ctx.req, ctx.URL);
    if (identity.ok) {
      const queryToken = ctx.URL.searchParams.get('token');
      if (queryToken !== null && ctx.method === 'GET' && options.access.tokenPrincipal(queryToken)) return tradeForCookie(ctx, queryToken, options.secure ?? false);
      (ctx.state as { principal: Principal }).principal = identity.principal;
      return next();
    }

    ctx.status = identity.status;
    if (identity.retryAfterMs !== undefined) ctx.set('Retry-After', String(Math.ceil(identity.retryAfterMs / 1000)));
    if (identity.status === 401) {
      ctx.set('WWW-Authenticate', 'Bearer realm="serialdeck"');
      // A stale cookie (the token changed) would otherwise be sent, and fail, on every request.
      if (ctx.cookies.get(TOKEN_COOKIE)) ctx.cookies.set(TOKEN_COOKIE, null, { httpOnly: true, sameSite: 'strict', overwrite: true });
    }
    if (ctx.path.startsWith('/api/')) ctx.body = { error: identity.reason };
    else if (identity.status === 401) {
      ctx.type = 'html';
      ctx.body = UNAUTHORIZED_PAGE;
    } else ctx.body = `serialdeck: ${identity.reason}\n`;
  };
}

/** Sets the cookie and redirects to the same address without the token. */
function tradeForCookie(ctx: Context, token: string, secure: boolean): void {
  ctx.cookies.set(TOKEN_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict', // never sent on cross-site requests: no CSRF through the cookie
    secure,
    maxAge: TOKEN_COOKIE_MAX_AGE_MS,
    overwrite: true,
  });
  const clean = new URL(ctx.URL);
  clean.searchParams.delete('token');
  ctx.status = 303;
  ctx.redirect(clean.pathname + clean.search);
}

const UNAUTHORIZED_PAGE = `<!doctype html><meta charset="utf-8"><title>serialdeck: token required</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<body style="background:#0f1115;color:#d8dee9;font:16px system-ui;padding:2em;max-width:40em">
<h1 style="font-size:1.4em">This serialdeck needs a token</h1>
<p>Open the full address the server printed when it started (it ends in <code>?token=…</code>),
or ask whoever runs it. Scripts send <code>Authorization: Bearer &lt;token&gt;</code>.</p></body>`;
