// TLS with the self-signed certificate, against a real server on port 0 and real clients: curl with
// --cacert, openssl, a ws client over wss, Node's https. The certificate verifies for 127.0.0.1 and
// localhost, its fingerprint is the one logged, it is kept (key 0600) and reused, the token cookie is
// Secure, and the plain-HTTP redirect sends every request to the https address and nowhere else.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LogLevel } from '../../server/log.js';
import { SELF_SIGNED_DIR, SELF_SIGNED_KEY_FILE } from '../../server/tls/self-signed.js';
import { decodeServerMessage } from '../../server/wire/protocol.js';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';
import { startTestServer } from '../helpers/test-server.js';

const run = promisify(execFile);
const stack = cleanupAfterEach();

/** A server with the self-signed certificate in `dataDir` (a fresh one unless given), its log lines kept with their levels. */
async function serveTls(input: Parameters<typeof stack.server>[0] = {}) {
  const logs: Array<{ level: LogLevel; line: string }> = [];
  const dataDir = input.dataDir ?? (await stack.tempDir('serialdeck-tls-'));
  const server = await stack.server({ tls: 'self-signed', ...input, dataDir }, { log: (line, level) => logs.push({ level, line }) });
  return { server, logs, dataDir, cert: await readFile(server.tls!.certFile, 'utf8') };
}

/** curl's exit code and output (never throws: a refused certificate is an exit code to assert on). */
async function curl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', ['--silent', '--show-error', '--max-time', '10', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The certificate the server presents on the wire (not the file), as Node's TLS client receives it. */
function servedCertificate(url: string, ca: string): Promise<X509Certificate> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: hostname, port: Number(port), ca }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolve(new X509Certificate(raw));
    });
    socket.on('error', reject);
  });
}

/** One HTTP(S) GET with the given headers and path as sent (absolute-form too), without following redirects. */
function get(
  url: string,
  options: { ca?: string; headers?: Record<string, string>; path?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: target.hostname,
        port: target.port,
        path: options.path ?? target.pathname + target.search,
        headers: options.headers ?? {},
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('self-signed TLS', () => {
  it('serves https that curl verifies with --cacert for 127.0.0.1 and localhost, and refuses without it', async () => {
    const { server, cert } = await serveTls();
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const port = new URL(server.url).port;

    const status = await curl('--cacert', server.tls!.certFile, `${server.url}api/status`);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ device: { path: 'demo' } });
    // The subjectAltNames make the same certificate verify under every loopback name.
    expect((await curl('--cacert', server.tls!.certFile, `https://localhost:${port}/api/status`)).code).toBe(0);
    const page = await curl('--cacert', server.tls!.certFile, server.url);
    expect(page.code).toBe(0);
    // Without the certificate curl refuses it (60: peer certificate cannot be authenticated).
    const untrusted = await curl(`${server.url}api/status`);
    expect(untrusted.code).toBe(60);
    expect(untrusted.stdout).toBe('');
    // Plain HTTP on the TLS port gets no page.
    const plain = await curl(`http://127.0.0.1:${port}/api/status`);
    expect(plain.stdout).not.toContain('demo');

    const x509 = new X509Certificate(cert);
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.subjectAltName).toContain('IP Address:0:0:0:0:0:0:0:1');
  });

  it('logs the SHA-256 fingerprint that openssl, Node and the wire all see', async () => {
    const { server, logs, cert } = await serveTls();
    const logged = logs.find(({ line }) => line.includes('SHA-256 fingerprint'));
    // A new certificate is announced at warn: whoever checked an old fingerprint must check again.
    expect(logged?.level).toBe('warn');
    const fingerprint = /SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/.exec(logged!.line)?.[1];
    expect(fingerprint).toBe(server.tls!.fingerprint256);

    const openssl = await run('openssl', ['x509', '-in', server.tls!.certFile, '-noout', '-fingerprint', '-sha256']);
    expect(openssl.stdout.trim()).toBe(`sha256 Fingerprint=${fingerprint}`);
    expect(new X509Certificate(cert).fingerprint256).toBe(fingerprint);
    expect((await servedCertificate(server.url, cert)).fingerprint256).toBe(fingerprint);
  });

  it('keeps the certificate with its key owner-only, and reuses it on the next start', async () => {
    const dataDir = await stack.tempDir('serialdeck-tls-');
    const first = await serveTls({ dataDir });
    const keyFile = `${dataDir}/${SELF_SIGNED_DIR}/${SELF_SIGNED_KEY_FILE}`;
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(`${dataDir}/${SELF_SIGNED_DIR}`)).mode & 0o077).toBe(0);
    const key = await readFile(keyFile, 'utf8');
    await first.server.close();

    const second = await serveTls({ dataDir });
    expect(second.cert).toBe(first.cert);
    expect(await readFile(keyFile, 'utf8')).toBe(key);
    expect(second.server.tls!.fingerprint256).toBe(first.server.tls!.fingerprint256);
    // Reused: said at info, with the same fingerprint, and nothing about a new one.
    const line = second.logs.find(({ line }) => line.includes('SHA-256 fingerprint'));
    expect(line).toEqual({ level: 'info', line: expect.stringContaining(first.server.tls!.fingerprint256) });
    expect(second.logs.some(({ line }) => line.includes('new self-signed'))).toBe(false);
    expect((await curl('--cacert', first.server.tls!.certFile, `${second.server.url}api/status`)).code).toBe(0);
  });

  it('makes a new certificate, and says why, when the kept one does not cover the listen address', async () => {
    const dataDir = await stack.tempDir('serialdeck-tls-');
    const first = await serveTls({ dataDir });
    await first.server.close();
    // 127.0.0.2 is loopback on Linux, but not a name the first certificate was made for.
    const second = await serveTls({ dataDir, host: '127.0.0.2' });
    expect(second.server.tls!.fingerprint256).not.toBe(first.server.tls!.fingerprint256);
    expect(second.logs).toContainEqual({ level: 'warn', line: expect.stringContaining('did not cover 127.0.0.2') });
    expect(second.server.url).toMatch(/^https:\/\/127\.0\.0\.2:\d+\/$/);
    expect((await curl('--cacert', second.server.tls!.certFile, `${second.server.url}api/status`)).code).toBe(0);
  });

  it('speaks wss: a ws client that trusts the certificate gets the hello and the board, one that does not is refused', async () => {
    const { server, cert } = await serveTls();
    const wssUrl = `${server.url.replace(/^https/, 'wss')}ws`;
    expect(wssUrl).toMatch(/^wss:\/\//);
    const ws = new WebSocket(wssUrl, { ca: cert });
    stack.defer(async () => ws.close());
    const got = await new Promise<{ hello: unknown; bytes: number }>((resolve, reject) => {
      let hello: unknown = null;
      ws.on('message', (data: Buffer, isBinary) => {
        if (!isBinary) {
          const decoded = decodeServerMessage(data.toString());
          if (decoded.ok && decoded.message.type === 'hello') hello = decoded.message;
        } else if (hello !== null) resolve({ hello, bytes: data.length });
      });
      ws.on('error', reject);
    });
    expect(got.hello).toMatchObject({ type: 'hello', port: 'demo' });
    expect(got.bytes).toBeGreaterThan(0);

    const untrusting = new WebSocket(wssUrl);
    const error = await new Promise<Error>((resolve) => untrusting.on('error', resolve));
    expect((error as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('marks the token cookie Secure and HttpOnly under TLS', async () => {
    const { server, cert } = await serveTls({ token: 'a-token-for-tls-tests' });
    expect(server.openUrl).toBe(`${server.url}?token=a-token-for-tls-tests`);
    const first = await get(server.openUrl, { ca: cert });
    expect(first.status).toBe(303);
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/^serialdeck_token=/);
    expect(setCookie).toMatch(/;\s*secure/i);
    expect(setCookie).toMatch(/;\s*httponly/i);
    const cookie = setCookie.split(';')[0]!;
    expect((await get(server.url, { ca: cert, headers: { cookie } })).status).toBe(200);
  });

  it('redirects plain HTTP to https, on the name the client used only when it is a host name', async () => {
    const { server, cert } = await serveTls({ httpRedirectPort: 0 });
    const redirect = server.httpRedirectUrl!;
    expect(redirect).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const httpsPort = new URL(server.url).port;

    const plain = await get(`${redirect}api/status?x=1`);
    expect(plain.status).toBe(308);
    expect(plain.headers.location).toBe(`${server.url}api/status?x=1`);
    const byName = await get(`${redirect}api/ports`, { headers: { host: `localhost:${new URL(redirect).port}` } });
    expect(byName.headers.location).toBe(`https://localhost:${httpsPort}/api/ports`);
    // Not a host name: the server's own address, never what the header says.
    for (const host of ['evil.example/x', 'evil.example@127.0.0.1', 'a b', '']) {
      const odd = await get(`${redirect}p`, { headers: { host } });
      expect(odd.headers.location, `Host: ${host}`).toBe(`${server.url}p`);
    }
    // An absolute-form target names another host: only its path would count, and it is not origin-form, so `/`.
    const absolute = await get(redirect, { path: 'http://evil.example/steal' });
    expect(absolute.headers.location).toBe(server.url);
    // A path that looks like an authority stays a path on this server.
    const slashes = await get(`${redirect}`, { path: '//evil.example/x' });
    expect(new URL(String(slashes.headers.location)).host).toBe(`127.0.0.1:${httpsPort}`);

    // curl follows it to the page, verifying the certificate on the way.
    const followed = await curl('--location', '--cacert', server.tls!.certFile, `${redirect}api/status`);
    expect(followed.code).toBe(0);
    expect(JSON.parse(followed.stdout)).toMatchObject({ device: { path: 'demo' } });
    expect(cert).toContain('BEGIN CERTIFICATE');
  });
});

describe('a taken redirect port', () => {
  it('fails the start naming the redirect port, and leaves the TLS port free again', async () => {
    const holder = createNetServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    stack.defer(() => new Promise((resolve) => holder.close(resolve)));
    const taken = (holder.address() as AddressInfo).port;
    const free = createNetServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const tlsPort = (free.address() as AddressInfo).port;
    await new Promise((resolve) => free.close(resolve));

    const dataDir = await stack.tempDir('serialdeck-tls-');
    const failed = await startTestServer({ tls: 'self-signed', dataDir, listenPort: tlsPort, httpRedirectPort: taken }).then(
      async (server) => (await server.close(), null),
      (error: NodeJS.ErrnoException) => error,
    );
    expect(failed?.message).toMatch(new RegExp(`^the HTTP redirect port ${taken} is not available: listen EADDRINUSE`));
    expect(failed?.code).toBe('EADDRINUSE');
    // Nothing was left listening: the same TLS port starts at once.
    const server = await stack.server({ tls: 'self-signed', dataDir, listenPort: tlsPort });
    expect(new URL(server.url).port).toBe(String(tlsPort));
  });
});

describe('warning about plain HTTP', () => {
  it('warns at startup when listening beyond loopback without TLS, and not with TLS or on loopback', async () => {
    const lines = async (input: Parameters<typeof stack.server>[0]) => {
      const logs: Array<{ level: LogLevel; line: string }> = [];
      await stack.server(input, { log: (line, level) => logs.push({ level, line }) });
      return logs.filter(({ line }) => line.includes('without TLS'));
    };
    const clear = await lines({ host: '0.0.0.0' });
    expect(clear).toEqual([{ level: 'warn', line: expect.stringMatching(/0\.0\.0\.0 without TLS: the token .* travel in clear/) }]);
    expect(await lines({ host: '0.0.0.0', tls: 'self-signed' })).toEqual([]);
    expect(await lines({})).toEqual([]);
  });
});
