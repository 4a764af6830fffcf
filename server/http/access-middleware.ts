// Koa middleware that applies the access rules before anything is served: the DNS-rebinding guard,
// Origin on state-changing requests (CSRF), and the token, which a first visit with ?token= trades
// for an HttpOnly cookie (the Jupyter pattern) so it leaves the address bar and history.
import type { Middleware } from 'koa';
import { isLoopbackHostHeader } from '../access/loopback.js';
import { isOriginAllowed } from '../access/origin.js';
import { isAuthorized, TOKEN_COOKIE, tokensEqual } from '../access/token.js';

/** Cookie lifetime: a week, so a tab left open on a Pi's dashboard survives restarts of the browser. */
const TOKEN_COOKIE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** Access settings (from Config). */
export interface AccessOptions {
  token: string | null;
  allowedOrigins: readonly string[];
}

/** Refuses requests that fail the access rules; lets the rest through. */
export function accessMiddleware(options: AccessOptions): Middleware {
  return async (ctx, next) => {
    if (options.token === null && !isLoopbackHostHeader(ctx.get('host'))) {
      ctx.status = 403;
      ctx.body = 'serialdeck listens on loopback without a token; use http://127.0.0.1 or localhost\n';
      return;
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && !isOriginAllowed(ctx.req, options.allowedOrigins)) {
      ctx.status = 403;
      ctx.body = { error: 'origin not allowed' };
      return;
    }
    if (options.token === null) return next();

    const queryToken = ctx.URL.searchParams.get('token');
    if (queryToken !== null && ctx.method === 'GET' && tokensEqual(queryToken, options.token)) {
      ctx.cookies.set(TOKEN_COOKIE, options.token, {
        httpOnly: true,
        sameSite: 'strict', // never sent on cross-site requests: no CSRF through the cookie
        maxAge: TOKEN_COOKIE_MAX_AGE_MS,
        overwrite: true,
      });
      const clean = new URL(ctx.URL);
      clean.searchParams.delete('token');
      ctx.status = 303;
      ctx.redirect(clean.pathname + clean.search);
      return;
    }
    if (isAuthorized(ctx.req, ctx.URL, options.token)) return next();

    ctx.status = 401;
    ctx.set('WWW-Authenticate', 'Bearer realm="serialdeck"');
    if (ctx.path.startsWith('/api/')) ctx.body = { error: 'token required' };
    else {
      ctx.type = 'html';
      ctx.body = UNAUTHORIZED_PAGE;
    }
  };
}

const UNAUTHORIZED_PAGE = `<!doctype html><meta charset="utf-8"><title>serialdeck: token required</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<body style="background:#0f1115;color:#d8dee9;font:16px system-ui;padding:2em;max-width:40em">
<h1 style="font-size:1.4em">This serialdeck needs a token</h1>
<p>Open the full address the server printed when it started (it ends in <code>?token=…</code>),
or ask whoever runs it. Scripts send <code>Authorization: Bearer &lt;token&gt;</code>.</p></body>`;
