// The `tls`, `httpRedirectPort` and `tlsClientCa` settings: HTTPS from a certificate and key, or from a
// self-signed certificate kept in the data directory, an optional plain-HTTP port that redirects to
// it, and an optional CA whose client certificates every connection must present.
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
  /** The client-certificate CA file, absolute; null: no client certificates asked for. */
  clientCa: string | null;
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

/** Resolves `tls`, `httpRedirectPort` and `tlsClientCa`; plain HTTP, no redirect and no client certificates when absent. Throws through `context.fail`. */
export function resolveTls(tlsValue: unknown, redirectValue: unknown, clientCaValue: unknown, context: TlsResolveContext): ResolvedTls {
  const { fail } = context;
  const tls = tlsConfig(tlsValue, context);
  if (tls?.mode === 'self-signed' && context.dataDir === null)
    fail('tls', 'self-signed keeps its certificate in the data directory, and capture is off so there is none: give one (dataDir, --data-dir), or a certificate and key (tls.cert and tls.key, --tls-cert and --tls-key)');
  return { tls, httpRedirectPort: redirectPort(redirectValue, tls, fail), clientCa: clientCa(clientCaValue, tls, context) };
}

function redirectPort(value: unknown, tls: TlsConfig | null, fail: TlsResolveContext['fail']): number | null {
  if (value === undefined || value === null) return null;
  const refusal = checkIntIn(value, 0, MAX_PORT);
  if (refusal !== null) return fail('httpRedirectPort', refusal);
  if (tls === null) return fail('httpRedirectPort', 'needs tls: without it there is no https to redirect to');
  return value as number;
}

function clientCa(value: unknown, tls: TlsConfig | null, { fail, localPath }: TlsResolveContext): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') return fail('tlsClientCa', `must be a file name (the PEM certificate of the CA that signs client certificates), got ${describeValue(value)}`);
  if (tls === null) return fail('tlsClientCa', 'needs tls: client certificates are asked for in the TLS handshake');
  return localPath(value);
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
