// A self-signed certificate kept in the data directory: made on the first start with `selfsigned` (WebCrypto,
// no compiler, a P-256 key in milliseconds on a Pi), reused on every later start so its fingerprint stays what
// people checked, and made anew only when it no longer serves: unreadable, expiring, or missing a name.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '../capture/fs-errors.js';
import { missingNames, type CertNames } from './cert-names.js';

/** The folder below the data directory that holds the certificate and its key. */
export const SELF_SIGNED_DIR = 'tls';
/** File names in SELF_SIGNED_DIR. */
export const SELF_SIGNED_CERT_FILE = 'self-signed-cert.pem';
export const SELF_SIGNED_KEY_FILE = 'self-signed-key.pem';

const DAY_MS = 86_400_000;
/** Validity, in days: 825 is the longest Apple's platforms accept for a TLS server certificate, even a trusted self-signed one. */
const VALIDITY_DAYS = 825;
/** Made anew when fewer than this many days remain, in days: a restart in the last month renews it before clients refuse it. */
const RENEW_BEFORE_DAYS = 30;
/** Owner-only: the private key is what lets anyone impersonate this server. */
const KEY_FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** A certificate and key ready for https.createServer, and where they are kept. */
export interface SelfSigned {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
  /** Why a new certificate was made on this start ('there was none yet', 'the old one expires on …', 'the old one did not cover pi.lan'); null when reused. */
  madeBecause: string | null;
}

/**
 * Reuses the certificate in `<dataDir>/tls/` when it parses, matches its key, covers `required` and is valid for
 * another RENEW_BEFORE_DAYS; otherwise makes one covering `forNew` (which includes `required`) and writes it there,
 * the key with mode 0600. Throws on a data directory it cannot write.
 */
export async function loadOrCreateSelfSigned(
  dataDir: string,
  required: CertNames,
  forNew: CertNames,
  now: Date = new Date(),
): Promise<SelfSigned> {
  const dir = join(dataDir, SELF_SIGNED_DIR);
  const certFile = join(dir, SELF_SIGNED_CERT_FILE);
  const keyFile = join(dir, SELF_SIGNED_KEY_FILE);
  const existing = await readExisting(certFile, keyFile);
  const madeBecause = 'problem' in existing ? existing.problem : unfitness(existing.x509, existing.key, required, now);
  if (madeBecause === null && 'cert' in existing) return { cert: existing.cert, key: existing.key, certFile, keyFile, madeBecause };

  const made = await makeCertificate(forNew, now);
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  // The key first: a crash between the two leaves a pair that does not match, which the next start replaces.
  await writeAtomic(keyFile, made.key, KEY_FILE_MODE);
  await writeAtomic(certFile, made.cert, 0o644);
  return { ...made, certFile, keyFile, madeBecause };
}

type Existing = { cert: string; key: string; x509: X509Certificate } | { problem: string };

async function readExisting(certFile: string, keyFile: string): Promise<Existing> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  } catch (error) {
    return { problem: errorCode(error) === 'ENOENT' ? 'there was none yet' : `the old one could not be read (${errorCode(error) || 'error'})` };
  }
  try {
    return { cert, key, x509: new X509Certificate(cert) };
  } catch {
    return { problem: `${certFile} was not a certificate` };
  }
}

/** Why a kept certificate will not do, or null when it will. */
function unfitness(x509: X509Certificate, key: string, required: CertNames, now: Date): string | null {
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) return 'the old key did not match the old certificate';
  } catch {
    return 'the old key could not be read';
  }
  const renewAt = Date.parse(x509.validTo) - RENEW_BEFORE_DAYS * DAY_MS;
  if (!(now.getTime() < renewAt)) return `the old one expires on ${new Date(Date.parse(x509.validTo)).toISOString().slice(0, 10)}`;
  // A start before its notBefore is kept: a Pi has no clock battery and may boot an hour in the past until NTP
  // answers, and a new certificate for that would change the fingerprint for nothing.
  const missing = missingNames(x509, required);
  if (missing.length > 0) return `the old one did not cover ${missing.join(', ')}`;
  return null;
}

async function makeCertificate(names: CertNames, now: Date): Promise<{ cert: string; key: string }> {
  const made = await (await loadSelfsigned()).generate([{ name: 'commonName', value: names.dns[0] ?? 'localhost' }, { name: 'organizationName', value: 'serialdeck' }], {
    keyType: 'ec',
    curve: 'P-256', // every browser and curl speak it; the key is made in milliseconds where RSA takes seconds on a Pi
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000), // a minute's slack for a client whose clock is a little behind
    notAfterDate: new Date(now.getTime() + VALIDITY_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      // A leaf, not a CA: it signs nothing. Clients that are given it (curl --cacert, Node's `ca`) trust it as it is.
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { cert: made.cert, key: made.private };
}

/** Writes `text` to `path` through a temp file created with `mode` (the umask can only narrow it), so no reader sees a half-written file or a readable key. */
async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const temp = `${path}.tmp`;
  await unlink(temp).catch(() => undefined); // a leftover from a crash may have another mode; start afresh
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** selfsigned and its X.509 stack, loaded only when a certificate is made: most starts never need them, and they cost a Pi memory. */
async function loadSelfsigned(): Promise<typeof import('selfsigned')> {
  return import('selfsigned');
}
