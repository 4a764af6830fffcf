// Named tokens from the config: each a name, the SHA-256 of its token (never the token itself) and
// a role per port. SHA-256 rather than a slow password hash because serialdeck's tokens are random
// (≥ 128 bits, made by `serialdeck token`): nothing to brute-force, and a Pi hashes each request's
// token in microseconds instead of the ~100 ms scrypt would cost on every page load and upgrade.
import { createHash } from 'node:crypto';
import type { Role } from '../wire/roles.js';

/** The prefix of a stored token hash; the rest is 64 lowercase hex digits. */
export const TOKEN_HASH_PREFIX = 'sha256:';

/** One named token, as resolved from the config's `tokens` list. */
export interface Credential {
  /** Who this is: shown in the who-list, the capture and the audit (never the token). */
  name: string;
  /** `sha256:` + hex digest of the token. */
  hash: string;
  /** Role on every port not named in `ports`; null: none. */
  role: Role | null;
  /** Role per port id, overriding `role`. */
  ports: Readonly<Record<string, Role>>;
}

/** The stored form of `token`: `sha256:<hex>`. */
export function hashToken(token: string): string {
  return TOKEN_HASH_PREFIX + createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when `text` is a stored token hash (`sha256:` and 64 hex digits). */
export function isTokenHash(text: string): boolean {
  return new RegExp(`^${TOKEN_HASH_PREFIX}[0-9a-f]{64}$`).test(text);
}

/** A credential's role on port `id`: its per-port role, else its default. */
export function credentialRole(credential: Credential, id: string): Role | null {
  return Object.hasOwn(credential.ports, id) ? (credential.ports[id] ?? null) : credential.role;
}
