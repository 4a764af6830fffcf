// Cross-site WebSocket hijacking guard: a browser always sends Origin on the upgrade, so a page
// from another site is refused; tools that send no Origin (scripts, curl, websocat) are fine.
import type { IncomingMessage } from 'node:http';

/** True when the upgrade has no Origin, or its Origin is this server's own host, or an allowed one. */
export function isOriginAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  // Same host:port as the page that was served by us (the Host header the browser sent).
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === req.headers.host;
}

/**
 * DNS-rebinding guard for token-less (loopback) servers: the Host header must name a loopback
 * address, since a hostile page that rebinds its own name to 127.0.0.1 sends its own name as Host.
 */
export function isLoopbackHostHeader(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  return hostname === 'localhost' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
