// The built command line, as a person runs it (npm test builds dist/ before the tests).
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('serialdeck CLI', () => {
  it('prints one listening line, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--no-capture'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before listening`)));
    });
    expect(line).toMatch(/^serialdeck listening on http:\/\/127\.0\.0\.1:\d+\/$/);
    const status = await fetch(`${line.split(' ').at(-1)}api/status`);
    expect(((await status.json()) as { device: { path: string } }).device.path).toBe('demo');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('prints the token URL when listening beyond loopback', async () => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--no-capture', '--host', '0.0.0.0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    const [first] = (await once(child.stdout, 'data')) as [string];
    expect(first).toMatch(/^serialdeck listening on http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}\n/);
    child.kill('SIGINT');
    expect((await once(child, 'exit'))[0]).toBe(0);
  });

  it.each([
    [['--baud', 'fast'], /^serialdeck: --baud expects a whole number, got "fast" \(see serialdeck --help\)\n$/],
    [['--frobnicate'], /^serialdeck: Unknown option '--frobnicate'.*\n$/],
    [['--port', '99999'], /^serialdeck: --port must be an integer from 0 to 65535, got 99999/],
  ])('exits 2 with a one-line reason for %j', (args, reason) => {
    const result = run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints help and a version', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: serialdeck [device...] [options]');
    expect(help.stdout).toContain('--no-dtr');
    expect(run('--version').stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('lists ports without failing on a machine with none', () => {
    const list = run('list');
    expect(list.status).toBe(0);
    expect(list.stdout.length).toBeGreaterThan(0);
  });

  it('says clearly when the port is taken', async () => {
    const holder = spawn(process.execPath, [cli, '--port', '0', '--no-capture'], { stdio: ['ignore', 'pipe', 'pipe'] });
    holder.stdout.setEncoding('utf8');
    const [first] = (await once(holder.stdout, 'data')) as [string];
    const port = /:(\d+)\//.exec(first)![1]!;
    const second = run('--port', port, '--no-capture');
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    holder.kill('SIGTERM');
    await once(holder, 'exit');
  });
});
