// `npm test`: install missing system packages, build what the tests run (server, client,
// firmware, emulator), then run every vitest suite. Extra arguments go to vitest.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureSystemPackages } from './ensure-system-packages.mjs';

ensureSystemPackages();
const sh = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
sh('npm', ['run', 'build']);
if (existsSync('firmware/Makefile')) sh('make', ['-C', 'firmware', '--no-print-directory']);
try {
  sh('npx', ['vitest', 'run', ...process.argv.slice(2)]);
} catch {
  process.exit(1);
}
