// The `tls` and `httpRedirectPort` settings: HTTPS from a certificate and key, or from a self-signed
// certificate kept in the data directory, and an optional plain-HTTP port that redirects to it.
// Resolved by config.ts's resolver through resolveTls(), so errors name the file, the field (or the
// flag) and the reason like every other setting; documented in docs/config.md and docs/security.md.
import { describeValue, findUnknownKey, isRecord } from './config-checks.js';
import type { TlsConfig } from './config-types.js';
import { checkIntIn } from './wire/limits.js';

/** `tls` as written: `self-signed`, `{ cert, key }` (PEM files), or `off` / false / null (plain HTTP, the default). */
export type TlsInput = 'self-signed' | 'off' | { cert?: string; key?: string } | false | null;

/** Both settings, resolved. */
export interface ResolvedTls {
  tls: TlsConfig | null;
  httpRedirectPort: number | null;
}

/** What resolveTls needs from the resolver. */
export interface TlsResolveContext {
  /** Throws the one-line ConfigError for `path` (the resolver names the flag or the file). */
  fail(path: string, reason: string): never;
  /** A path as written made absolute: `~/` is the home directory, a relative path is taken from the config file's folder. */
  localPath(value: string): string;
  /** The resolved data directory (null: none), where a self-signed certificate is kept. */
  dataDir: string | null;
}

const TLS_KEYS = ['cert', 'key'] as const;
/** Highest TCP port; 0 picks a free one (for tests). */
const MAX_PORT = 65535;
const SHAPE = 'must be self-signed, off, or a mapping with cert and key (PEM files)';

/** Resolves `tls` and `httpRedirectPort`; plain HTTP and no redirect when both are absent. Throws through `context.fail`. */
export function resolveTls(tlsValue: unknown, redirectValue: unknown, context: TlsResolveContext): ResolvedTls {
  const { fail } = context;
  const tls = tlsConfig(tlsValue, context);
  if (tls?.mode === 'self-signed' && context.dataDir === null)
    fail('tls', 'self-signed keeps its certificate in the data directory, and capture is off so there is none: give one (dataDir, --data-dir), or a certificate and key (tls.cert and tls.key, --tls-cert and --tls-key)');
  if (redirectValue === undefined || redirectValue === null) return { tls, httpRedirectPort: null };
  const refusal = checkIntIn(redirectValue, 0, MAX_PORT);
  if (refusal !== null) return fail('httpRedirectPort', refusal);
  if (tls === null) return fail('httpRedirectPort', 'needs tls: without it there is no https to redirect to');
  return { tls, httpRedirectPort: redirectValue as number };
}

function tlsConfig(value: unknown, { fail, localPath }: TlsResolveContext): TlsConfig | null {
  if (value === undefined || value === null || value === false || value === 'off') return null;
  if (value === 'self-signed') return { mode: 'self-signed' };
  if (!isRecord(value)) return fail('tls', `${SHAPE}, got ${describeValue(value)}`);
  const unknown = findUnknownKey(value, TLS_KEYS);
  if (unknown) fail(`tls.${unknown.key}`, `is not a known setting${unknown.hint}`);
  const file = (key: 'cert' | 'key', what: string): string => {
    const v = value[key];
    if (v === undefined) return fail(`tls.${key}`, `is required with tls.${key === 'cert' ? 'key' : 'cert'}: ${what}`);
    if (typeof v !== 'string' || v.trim() === '') return fail(`tls.${key}`, `must be a file name (${what}), got ${describeValue(v)}`);
    return localPath(v);
  };
  return {
    mode: 'files',
    cert: file('cert', 'the PEM certificate, followed by any intermediate certificates'),
    key: file('key', "the certificate's PEM private key, without a passphrase"),
  };
}
