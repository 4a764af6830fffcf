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
