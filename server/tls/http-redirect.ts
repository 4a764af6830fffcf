// The optional plain-HTTP listener of a TLS server: every request is answered with a redirect to the same
// path over https. The target's host is the name the client used (its Host header) only when that is a
// plain host name or address, else the server's own; the port is always the TLS port: never an open redirect.
import { createServer, type Server } from 'node:http';
import { guardConnections } from '../http/connection-guard.js';

/** 308 Permanent Redirect: like 301, but a browser repeats a POST as a POST instead of turning it into a GET. */
const REDIRECT_STATUS = 308;
/** A Host header this listener will repeat: a DNS name, an IPv4 address or a bracketed IPv6 address, with an optional port. */
const HOST_HEADER = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Where a plain-HTTP request for `path` with Host `hostHeader` goes: `https://HOST:httpsPort/path`, where HOST is the
 * Host header's name when HOST_HEADER accepts it, else `fallbackHost` (as in a URL: IPv6 in brackets), and a path that
 * is not origin-form becomes `/`.
 */
export function redirectLocation(hostHeader: string | undefined, path: string | undefined, httpsPort: number, fallbackHost: string): string {
  const origin = originFor(hostHeader, httpsPort) ?? originFor(fallbackHost, httpsPort) ?? `https://127.0.0.1:${httpsPort}`;
  const target = path?.startsWith('/') ? safeUrl(origin + path) : null;
  // `origin + path` cannot change the host ("//x" is a path after an authority), but check rather than trust that.
  return target !== null && target.origin === new URL(origin).origin ? target.href : `${origin}/`;
}

/**
 * Starts the redirect listener on `host`:`port` (0 picks a free one); resolves once it listens, rejects if it cannot,
 * with an error that names the redirect port (and keeps Node's `code`, such as EADDRINUSE or EACCES).
 */
export async function startHttpRedirect(host: string, port: number, httpsPort: number, fallbackHost: string): Promise<Server> {
  const server = createServer((req, res) => {
    const location = redirectLocation(req.headers.host, req.url, httpsPort, fallbackHost);
    res.writeHead(REDIRECT_STATUS, { Location: location, 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    res.end(req.method === 'HEAD' ? undefined : `serialdeck is served over https: ${location}\n`);
  });
  server.keepAliveTimeout = 0; // one request per connection: nothing to keep open
  guardConnections(server); // the main server's slow-client limits (header timeout, cap on request-less connections)
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      const hint = error.code === 'EACCES' && port < 1024 ? ' (ports below 1024 need CAP_NET_BIND_SERVICE)' : '';
      reject(Object.assign(new Error(`the HTTP redirect port ${port} is not available: ${error.message}${hint}`), { code: error.code }));
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  return server;
}

/** `https://NAME:PORT` for a Host header (or a URL's host) that HOST_HEADER accepts, its own port replaced; null otherwise. */
function originFor(host: string | undefined, httpsPort: number): string | null {
  if (host === undefined) return null;
  if (!HOST_HEADER.test(host)) return null;
  const url = safeUrl(`https://${host}`);
  // The URL parser rewrites some names (`0` and `1234` are IPv4 shorthands): repeat only a name it leaves as sent.
  if (url === null || url.hostname !== host.toLowerCase().replace(/:\d+$/, '')) return null;
  url.port = String(httpsPort);
  return url.origin;
}

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
