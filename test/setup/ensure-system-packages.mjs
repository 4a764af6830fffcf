// Installs the Debian packages the tests need when they are missing: with apt as root or
// through sudo (apt-get update first); otherwise stops with the exact command to run.
import { existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { SYSTEM_PACKAGES } from './system-packages.mjs';

/** Multiarch directory of this machine's libraries, e.g. aarch64-linux-gnu. */
function multiarch() {
  const r = spawnSync('dpkg-architecture', ['-qDEB_HOST_MULTIARCH'], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  const gcc = spawnSync('gcc', ['-print-multiarch'], { encoding: 'utf8' });
  return gcc.status === 0 && gcc.stdout.trim() ? gcc.stdout.trim() : 'x86_64-linux-gnu';
}

/** Returns the Debian packages of SYSTEM_PACKAGES that are not installed. */
export function missingPackages() {
  const arch = multiarch();
  return SYSTEM_PACKAGES.filter(([file]) => !existsSync(file.replace('x86_64-linux-gnu', arch))).map(
    ([, pkg]) => pkg,
  );
}

/** Installs what is missing, or exits 1 with the command a person must run. */
export function ensureSystemPackages() {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  const hasSudo = !isRoot && spawnSync('sudo', ['-n', 'true']).status === 0;
  const hasApt = spawnSync('apt-get', ['--version']).status === 0;
  if (!hasApt || (!isRoot && !hasSudo)) {
    console.error(`serialdeck tests need these system packages: ${missing.join(', ')}`);
    console.error(`Install them, then run npm test again:\n  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  console.log(`installing system packages for the tests: ${missing.join(' ')}`);
  const prefix = isRoot ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => execFileSync(prefix[0] ?? args[0], prefix.length ? [...prefix.slice(1), ...args] : args.slice(1), { stdio: 'inherit', env });
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', ...missing]);
  const still = missingPackages();
  if (still.length) {
    console.error(`still missing after apt-get install: ${still.join(', ')}`);
    process.exit(1);
  }
}
