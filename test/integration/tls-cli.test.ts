// The TLS flags as a person uses them: `serialdeck demo --tls self-signed` prints an https URL and logs the
// fingerprint that openssl s_client then reads off the wire; flag mistakes exit 2 with a one-line reason.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';
import { startServerProcess } from '../helpers/server-process.js';

const run = promisify(execFile);
const stack = cleanupAfterEach();
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));

/** Runs the CLI from source to its exit; resolves with its status and output. */
async function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stdout, stderr };
}

describe('serialdeck --tls', () => {
  it('prints an https URL and logs the fingerprint that openssl reads from the served certificate', async () => {
    const dataDir = await stack.tempDir('serialdeck-tls-cli-');
    const server = await startServerProcess(['demo', '--tls', 'self-signed', '--data-dir', dataDir]);
    stack.defer(() => server.kill('SIGTERM'));
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const logged = /SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/.exec(server.stderr())?.[1];
    expect(logged).toBeDefined();

    const { port } = new URL(server.url);
    const { stdout } = await run('sh', [
      '-c',
      `openssl s_client -connect 127.0.0.1:${port} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256`,
    ]);
    expect(stdout.trim()).toBe(`sha256 Fingerprint=${logged}`);
    expect(await server.kill('SIGTERM')).toBe(0);
  });

  it.each([
    [['--tls-cert', 'cert.pem'], 'give --tls-cert and --tls-key together (a certificate and its key)'],
    [['--tls', 'on'], '--tls must be self-signed or off (or give --tls-cert and --tls-key), got "on"'],
    [['--tls', 'self-signed', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], 'give --tls or --tls-cert/--tls-key, not both'],
    [['--http-redirect', '8081'], '--http-redirect needs tls: without it there is no https to redirect to'],
    [['--tls', 'self-signed', '--no-capture'], '--tls self-signed keeps its certificate in the data directory'],
  ])('exits 2 with one line for %j', async (args, reason) => {
    const result = await runCli([...args, '-p', '0']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`serialdeck: ${reason}`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 naming the file when a certificate file cannot be read', async () => {
    const dir = await stack.tempDir('serialdeck-tls-cli-');
    const result = await runCli(['--tls-cert', `${dir}/nope.pem`, '--tls-key', `${dir}/nope-key.pem`, '--no-capture', '-p', '0']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`serialdeck: tls.cert ${dir}/nope.pem cannot be read: no such file or directory (ENOENT)\n`);
    expect(result.stdout).toBe('');
  });
});
