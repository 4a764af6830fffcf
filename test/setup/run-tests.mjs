// `npm test`: install missing system packages, build what the tests run (server, client,
// firmware, emulator), then run every vitest suite. Extra arguments go to vitest. A run of unit
// tests only (`npm test -- test/unit`, or `npm run test:unit`) installs and builds nothing: unit
// tests use neither system packages nor the build.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureSystemPackages } from './ensure-system-packages.mjs';

const args = process.argv.slice(2);
const paths = args.filter((arg) => !arg.startsWith('-'));
const unitOnly = paths.length > 0 && paths.every((path) => /^(\.\/)?test\/unit(\/|$)/.test(path));
const sh = (cmd, argv) => execFileSync(cmd, argv, { stdio: 'inherit' });
if (!unitOnly) {
  ensureSystemPackages();
  sh('npm', ['run', 'build']);
  if (existsSync('firmware/Makefile')) sh('make', ['-C', 'firmware', '--no-print-directory']);
}
try {
  sh('npx', ['vitest', 'run', ...args]);
} catch {
  process.exit(1);
}
