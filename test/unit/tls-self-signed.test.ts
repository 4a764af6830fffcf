// The self-signed certificate's life in the data directory, on a clock the test sets: kept while it
// serves, renewed in its last 30 days, kept when the clock is behind it, replaced when its files are
// broken; each new one says why.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requiredNames } from '../../server/tls/cert-names.js';
import { loadOrCreateSelfSigned, SELF_SIGNED_DIR, SELF_SIGNED_KEY_FILE } from '../../server/tls/self-signed.js';

const DAY_MS = 86_400_000;
const names = requiredNames('pi', '127.0.0.1');
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
const dataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'serialdeck-selfsigned-'));
  dirs.push(dir);
  return dir;
};

describe('loadOrCreateSelfSigned', () => {
  const start = new Date('2026-01-10T12:00:00Z');

  it('makes one valid for 825 days covering the names, then keeps it', async () => {
    const dir = await dataDir();
    const first = await loadOrCreateSelfSigned(dir, names, names, start);
    expect(first.madeBecause).toBe('there was none yet');
    const x509 = new X509Certificate(first.cert);
    expect(Date.parse(x509.validTo) - start.getTime()).toBe(825 * DAY_MS);
    expect(x509.subjectAltName).toBe('DNS:localhost, DNS:pi, DNS:pi.local, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.ca).toBe(false);

    const later = await loadOrCreateSelfSigned(dir, names, names, new Date(start.getTime() + 700 * DAY_MS));
    expect(later).toEqual({ ...first, madeBecause: null });
  });

  it('renews it within 30 days of expiry, and keeps it when the clock is behind it', async () => {
    const dir = await dataDir();
    const first = await loadOrCreateSelfSigned(dir, names, names, start);
    const behind = await loadOrCreateSelfSigned(dir, names, names, new Date(start.getTime() - 3600_000));
    expect(behind.madeBecause).toBeNull();
    expect(behind.cert).toBe(first.cert);
    const renewed = await loadOrCreateSelfSigned(dir, names, names, new Date(start.getTime() + 800 * DAY_MS));
    expect(renewed.madeBecause).toBe('the old one expires on 2028-04-14');
    expect(renewed.cert).not.toBe(first.cert);
  });

  it('replaces a broken pair, saying why', async () => {
    const dir = await dataDir();
    const first = await loadOrCreateSelfSigned(dir, names, names, start);
    const other = await loadOrCreateSelfSigned(await dataDir(), names, names, start);
    await writeFile(join(dir, SELF_SIGNED_DIR, SELF_SIGNED_KEY_FILE), other.key);
    expect((await loadOrCreateSelfSigned(dir, names, names, start)).madeBecause).toBe('the old key did not match the old certificate');
    await writeFile(first.certFile, 'not a certificate');
    expect((await loadOrCreateSelfSigned(dir, names, names, start)).madeBecause).toBe(`${first.certFile} was not a certificate`);
  });
});
