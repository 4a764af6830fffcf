// The Koa app: access rules, the API, then the built client. It never listens; start() owns the server.
import Koa from 'koa';
import serve from 'koa-static';
import { accessMiddleware, type AccessOptions } from './access-middleware.js';
import { apiMiddleware, type ApiDeps } from './api-router.js';

/** Builds the app; `clientDir` is the Vite build (dist/client), or null when it was not built. */
export function createApp(options: {
  access: AccessOptions;
  api: ApiDeps;
  clientDir: string | null;
  /** Where unexpected (500) errors are logged. */
  log(line: string): void;
}): Koa {
  const app = new Koa();
  app.silent = true; // errors are answered below; a client that hangs up must not spam the log
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer'); // the startup URL may carry the token
    ctx.set('X-Frame-Options', 'DENY');
    // Koa builds ctx.URL from the Host header; a Host that is no host (`Host: >`) leaves it an empty object, which every later check would trip on (a 500).
    if (!(ctx.URL instanceof URL)) {
      ctx.status = 400;
      ctx.body = { error: `malformed Host header ${JSON.stringify(ctx.get('host').slice(0, 100))}` };
      return;
    }
    try {
      await next();
    } catch (error) {
      // Errors that carry their own 4xx (koa-static's 403 for ../, 400 for a NUL) keep it; only the rest are 500.
      const status = (error as { status?: unknown }).status;
      ctx.status = typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
      ctx.body = { error: ctx.status < 500 ? (error as Error).message : 'internal error' };
      if (ctx.status >= 500) options.log(`${ctx.method} ${ctx.path}: ${(error as Error).stack ?? String(error)}`);
    }
  });
  app.use(accessMiddleware(options.access));
  app.use(apiMiddleware(options.api));
  if (options.clientDir) app.use(serve(options.clientDir, { index: 'index.html', maxage: 0 }));
  else
    app.use((ctx) => {
      ctx.status = 503;
      ctx.body = 'serialdeck: the browser client is not built; run `npm run build`\n';
    });
  return app;
}
