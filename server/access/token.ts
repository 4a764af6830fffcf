// Token checks shared by the HTTP app and the WebSocket upgrade: a bearer header, the
// HttpOnly cookie the page gets, or a `token` query parameter (for the first visit and scripts).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Name of the HttpOnly cookie that carries the token for the page and its WebSocket. */
export const TOKEN_COOKIE = 'serialdeck_token';

/** A fresh random token: 24 bytes, URL-safe, so it can sit in the startup URL. */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Compares in constant time (hashes first so lengths do not leak either). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request presents, from Authorization: Bearer, the cookie, or ?token= (in that order); null if none. */
export function presentedToken(req: IncomingMessage, url: URL): string | null {
  // Auth scheme names are case-insensitive (RFC 9110 §11.1): `bearer` is as good as `Bearer`.
  const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (bearer) return bearer[1]!.trim();
  const cookie = readCookie(req.headers.cookie, TOKEN_COOKIE);
  if (cookie !== null) return cookie;
  return url.searchParams.get('token');
}

/** True when no token is configured, or the request presents the right one. */
export function isAuthorized(req: IncomingMessage, url: URL, token: string | null): boolean {
  if (token === null) return true;
  const given = presentedToken(req, url);
  return given !== null && tokensEqual(given, token);
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}
