// The package as npm users get it: `npm pack` from a fresh copy of the sources (prepack builds), the tarball
// installed with `npm install -g` into an empty prefix (no build, no dev dependencies), and the installed
// `serialdeck` run from there: --version, the demo board on port 0, and the systemd unit it prints.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSecurity, analyzeVerify, unitSettings } from './service-analyze.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** Pack (a full build) and install (runtime dependencies from the registry or npm's cache), in ms, on a loaded CI machine. */
const PACK_AND_INSTALL_TIMEOUT_MS = 240_000;
/** Longest wait for the installed server's listening line, in ms. */
const READY_TIMEOUT_MS = 30_000;
/**
 * Most packages the install may hold: 125 today. 61 before mqtt (mqtt.js and its streams, ~35, for
 * the broker bridge and fleet console) and selfsigned (@peculiar/x509 and its ASN.1 stack, ~25, for
 * the first-start certificate) came; 76 before @xterm/* went to devDependencies and serialport went.
 */
const MAX_INSTALLED_PACKAGES = 130;

const scratch = mkdtempSync(join(tmpdir(), 'serialdeck-package-'));
const prefix = join(scratch, 'prefix');
const bin = join(prefix, 'bin', 'serialdeck');
const installed = join(prefix, 'lib', 'node_modules', 'serialdeck');
let tarballFiles: string[] = [];

/** This environment without npm's per-run variables: a nested npm must not take the outer run's project or prefix. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$|NODE_PATH$|SERIALDECK_)/i.test(key)));
}

/** Runs npm; a failure throws with what npm and the build printed. */
function npm(args: string[], cwd: string): void {
  const run = spawnSync('npm', args, { cwd, env: cleanEnv(), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`);
}

/** Every package directory under `nodeModules`, nested ones too. */
function packageDirs(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dirs = entry.name.startsWith('@')
      ? readdirSync(join(nodeModules, entry.name)).map((name) => join(nodeModules, entry.name, name))
      : [join(nodeModules, entry.name)];
    for (const dir of dirs) {
      if (!existsSync(join(dir, 'package.json'))) continue;
      found.push(dir, ...packageDirs(join(dir, 'node_modules')));
    }
  }
  return found;
}

/** The names of every installed package, nested ones too. */
function installedPackages(nodeModules: string): string[] {
  return packageDirs(nodeModules).map((dir) => dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length));
}

/** Names that installed packages list as their own dependencies: what a runtime dependency pulls in itself. */
function wantedByDependencies(nodeModules: string): Set<string> {
  const wanted = new Set<string>();
  for (const dir of packageDirs(nodeModules)) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) wanted.add(dependency);
  }
  return wanted;
}

beforeAll(() => {
  // A fresh copy of the sources as a clone has them (tracked and new files, nothing ignored: no dist/), so the
  // test packs what a clone packs and never rebuilds the dist/ other tests are running.
  const source = join(scratch, 'source');
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && file !== 'node_modules' && existsSync(join(ROOT, file))); // a linked node_modules is not ignored
  for (const file of files) {
    mkdirSync(dirname(join(source, file)), { recursive: true });
    cpSync(join(ROOT, file), join(source, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  expect(existsSync(join(source, 'dist'))).toBe(false);

  npm(['pack', '--pack-destination', scratch], source);
  const tarball = join(scratch, `serialdeck-${pkg.version}.tgz`);
  tarballFiles = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], scratch);
}, PACK_AND_INSTALL_TIMEOUT_MS);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the packed package', () => {
  it('holds the build, the licence, the readme and package.json, and no source maps or sources', () => {
    const paths = tarballFiles.map((file) => file.replace(/^package\//, ''));
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/server/cli.js', 'dist/client/index.html']));
    expect(paths.filter((file) => !file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(file))).toEqual([]);
    expect(paths.filter((file) => file.endsWith('.map') || file.endsWith('.ts'))).toEqual([]);
    expect(paths.filter((file) => file.startsWith('dist/server/') && file.endsWith('.js')).length).toBeGreaterThan(20);
  });

  it('installs runtime dependencies only', () => {
    const packages = installedPackages(join(installed, 'node_modules'));
    console.log(`installed packages: ${packages.length}`);
    expect(packages.length).toBeLessThanOrEqual(MAX_INSTALLED_PACKAGES);
    for (const dependency of Object.keys(pkg.dependencies)) expect(packages).toContain(dependency);
    // None of ours: a devDependency is there only when a runtime dependency needs it itself (mqtt.js's types need @types/node).
    const pulledIn = wantedByDependencies(join(installed, 'node_modules'));
    for (const devDependency of Object.keys(pkg.devDependencies)) if (!pulledIn.has(devDependency)) expect(packages).not.toContain(devDependency);
    expect(packages).not.toContain('serialport'); // the umbrella package: nothing imports it
  });
});

describe('the installed serialdeck', () => {
  it('prints its version', () => {
    expect(execFileSync(bin, ['--version'], { cwd: scratch, env: cleanEnv(), encoding: 'utf8' })).toBe(`${pkg.version}\n`);
  });

  it('serves the demo board: the port list, the page and its script; SIGTERM closes it', async () => {
    const child = spawn(bin, ['demo', '-p', '0', '--no-capture'], { cwd: scratch, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in ${READY_TIMEOUT_MS} ms; stderr: ${stderr}`)), READY_TIMEOUT_MS);
        void exited.then(([code]) => reject(new Error(`serialdeck exited (${code}) before listening; stderr: ${stderr}`)));
        createInterface({ input: child.stdout }).on('line', (line) => {
          const match = /^serialdeck listening on (\S+)$/.exec(line);
          if (!match?.[1]) return;
          clearTimeout(timer);
          resolve(match[1]);
        });
      });

      const ports = await fetch(new URL('api/ports', url));
      expect(ports.status).toBe(200);
      expect(JSON.stringify(await ports.json())).toContain('"demo"');

      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      const script = /<script[^>]+src="\.?\/?([^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(new URL(script!, url));
      expect(asset.status).toBe(200);
      expect((await asset.text()).length).toBeGreaterThan(10_000); // xterm.js is bundled in, not a dependency
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toEqual([0, null]);
  });

  it('prints a systemd unit that runs this binary, which systemd-analyze verifies and rates', () => {
    const unit = execFileSync(bin, ['service', '/dev/ttyACM0', '--host', '0.0.0.0'], { cwd: scratch, env: cleanEnv(), encoding: 'utf8' });
    expect(unitSettings(unit).get('ExecStart')).toEqual([`${bin} /dev/ttyACM0 --host 0.0.0.0`]);
    const path = join(scratch, 'serialdeck.service');
    writeFileSync(path, unit);
    expect(analyzeVerify(path)).toEqual({ status: 0, output: '' });
    expect(analyzeSecurity(path)).toBeLessThanOrEqual(2.5);
  });
});
