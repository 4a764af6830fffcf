// TLS from certificate files (tls: { cert, key }): a local CA and a server certificate made with the
// real openssl, served to curl, which trusts the CA; client certificates (tlsClientCa) asked for in
// the handshake; and every way the files can be wrong, refused before anything listens with an error
// naming the field, the file and the reason.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sendRelease } from '../../server/cli-release.js';
import { fetchWithTls, type CliTlsFiles } from '../../server/cli-tls-fetch.js';
import { ConfigError } from '../../server/config.js';
import type { LogLevel } from '../../server/log.js';
import { startTestServer } from '../helpers/test-server.js';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';

const run = promisify(execFile);
const stack = cleanupAfterEach();

/** A CA, and a server certificate for localhost and 127.0.0.1 that it signed, as PEM files in a fresh directory. */
async function makeCertificates(): Promise<{ dir: string; ca: string; cert: string; key: string }> {
  const dir = await stack.tempDir('serialdeck-certs-');
  const at = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', at('ca-key.pem'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=serialdeck test CA']);
  await run('openssl', ['req', ...ec, '-keyout', at('key.pem'), '-out', at('server.csr'), '-subj', '/CN=localhost']);
  await writeFile(at('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await run('openssl', [
    'x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca-key.pem'), '-CAcreateserial',
    '-days', '2', '-extfile', at('ext.cnf'), '-out', at('cert.pem'),
  ]);
  return { dir, ca: at('ca.pem'), cert: at('cert.pem'), key: at('key.pem') };
}

/** A client certificate and key, for `name`, signed by the CA `ca` (a PEM file beside its `-key.pem`), in `dir`. */
async function makeClientCertificate(dir: string, ca: string, name: string): Promise<{ cert: string; key: string }> {
  const at = (file: string) => join(dir, `${name}-${file}`);
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('key.pem'), '-out', at('client.csr'), '-subj', `/CN=${name}`]);
  await writeFile(at('ext.cnf'), 'extendedKeyUsage=clientAuth\n');
  await run('openssl', [
    'x509', '-req', '-in', at('client.csr'), '-CA', ca, '-CAkey', ca.replace(/\.pem$/, '-key.pem'), '-CAcreateserial',
    '-days', '2', '-extfile', at('ext.cnf'), '-out', at('cert.pem'),
  ]);
  return { cert: at('cert.pem'), key: at('key.pem') };
}

/** curl's exit code and output, never throwing. */
async function curl(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    return { code: 0, stdout: (await run('curl', ['--silent', '--show-error', '--max-time', '10', ...args])).stdout };
  } catch (error) {
    return { code: (error as { code: number }).code, stdout: (error as { stdout: string }).stdout };
  }
}

/** The ConfigError start() throws for `input`, or a failure when it starts. */
async function refusal(input: Parameters<typeof startTestServer>[0]): Promise<string> {
  const started = await startTestServer(input).then(
    (server) => server.close().then(() => null),
    (error: unknown) => error,
  );
  expect(started).toBeInstanceOf(ConfigError);
  return (started as ConfigError).message;
}

describe('TLS from certificate files', () => {
  it('serves the given certificate, which curl verifies through its CA, and logs its fingerprint', async () => {
    const files = await makeCertificates();
    const logs: Array<{ level: LogLevel; line: string }> = [];
    const server = await stack.server({ tls: { cert: files.cert, key: files.key } }, { log: (line, level) => logs.push({ level, line }) });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.tls).toMatchObject({ certFile: files.cert, selfSigned: false });
    const port = new URL(server.url).port;
    for (const url of [`${server.url}api/status`, `https://localhost:${port}/api/status`]) {
      const got = await curl('--cacert', files.ca, url);
      expect(got.code, url).toBe(0);
      expect(JSON.parse(got.stdout)).toMatchObject({ device: { path: 'demo' } });
    }
    // No self-signed certificate is made beside the configured one.
    await expect(readFile(join(server.dataDir, 'tls', 'self-signed-cert.pem'))).rejects.toMatchObject({ code: 'ENOENT' });

    const fingerprint = new X509Certificate(await readFile(files.cert)).fingerprint256;
    expect(server.tls!.fingerprint256).toBe(fingerprint);
    expect(logs).toContainEqual({ level: 'info', line: `TLS: certificate ${files.cert}, SHA-256 fingerprint ${fingerprint}` });
    const openssl = await run('openssl', ['x509', '-in', files.cert, '-noout', '-fingerprint', '-sha256']);
    expect(openssl.stdout.trim()).toBe(`sha256 Fingerprint=${fingerprint}`);
  });

  it('with tlsClientCa, serves only clients whose certificate that CA signed, refusing the others in the handshake', async () => {
    const files = await makeCertificates();
    // A second CA, whose certificates the server must not take.
    const otherCa = join(files.dir, 'other-ca.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(files.dir, 'other-ca-key.pem'), '-out', otherCa, '-days', '2', '-subj', '/CN=another CA']);
    const alice = await makeClientCertificate(files.dir, files.ca, 'alice');
    const mallory = await makeClientCertificate(files.dir, otherCa, 'mallory');
    const logs: string[] = [];
    const server = await stack.server({ tls: { cert: files.cert, key: files.key }, tlsClientCa: files.ca }, { log: (line) => logs.push(line) });
    expect(logs).toContain(`TLS: client certificates required, signed by CN=serialdeck test CA (${files.ca})`);
    const status = `${server.url}api/status`;

    const withCert = await curl('--cacert', files.ca, '--cert', alice.cert, '--key', alice.key, status);
    expect(withCert.code).toBe(0);
    expect(JSON.parse(withCert.stdout)).toMatchObject({ device: { path: 'demo' } });
    // curl: 35 (a TLS error), 52 (an empty reply: under TLS 1.3 the server's alert comes after the client's
    // side of the handshake) or 56 (the connection reset): never an answer.
    const without = await curl('--cacert', files.ca, status);
    expect([35, 52, 56]).toContain(without.code);
    expect(without.stdout).toBe('');
    const foreign = await curl('--cacert', files.ca, '--cert', mallory.cert, '--key', mallory.key, status);
    expect([35, 52, 56]).toContain(foreign.code);
    expect(foreign.stdout).toBe('');

    // `serialdeck reclaim` reaches it with --cacert, --cert and --key, and cannot without the certificate.
    const reclaim = (tls: CliTlsFiles) => sendRelease({ kind: 'reclaim', portId: 'demo', url: server.url, token: null }, fetchWithTls(tls));
    expect(await reclaim({ caFile: files.ca, certFile: alice.cert, keyFile: alice.key })).toEqual({ ok: true, text: 'demo: open' });
    expect(await reclaim({ caFile: files.ca })).toMatchObject({ ok: false, text: expect.stringMatching(/^reclaim demo: cannot reach serialdeck at https:/) });
    expect(() => fetchWithTls({ caFile: join(files.dir, 'missing.pem') })).toThrow(/^--cacert \S+missing\.pem cannot be read: /);

    expect(await refusal({ tls: { cert: files.cert, key: files.key }, tlsClientCa: files.key })).toBe(
      `tlsClientCa ${files.key} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  });

  it('refuses files it cannot use, naming the field, the file and the reason, before listening', async () => {
    const files = await makeCertificates();
    const missing = join(files.dir, 'missing.pem');
    expect(await refusal({ tls: { cert: missing, key: files.key } })).toBe(
      `tls.cert ${missing} cannot be read: no such file or directory (ENOENT)`,
    );
    expect(await refusal({ tls: { cert: files.key, key: files.key } })).toBe(
      `tls.cert ${files.key} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
    expect(await refusal({ tls: { cert: files.cert, key: files.cert } })).toBe(`tls.key ${files.cert} is not a PEM private key`);
    // The CA's key belongs to another certificate.
    const caKey = join(files.dir, 'ca-key.pem');
    expect(await refusal({ tls: { cert: files.cert, key: caKey } })).toBe(
      `tls.key ${caKey} is not the key of the certificate in tls.cert ${files.cert}`,
    );
    const encrypted = join(files.dir, 'encrypted-key.pem');
    await run('openssl', ['pkey', '-in', files.key, '-aes256', '-passout', 'pass:secret', '-out', encrypted]);
    expect(await refusal({ tls: { cert: files.cert, key: encrypted } })).toBe(
      `tls.key ${encrypted} is encrypted; give the key without a passphrase (keep the file mode 0600)`,
    );
  });
});
