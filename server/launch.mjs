// `npm start`: builds the server and client when the build is missing or older than the sources,
// then runs the built CLI with the arguments given (`npm start -- /dev/ttyACM0 --baud 115200`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outputs = ['dist/server/cli.js', 'dist/client/index.html'].map((f) => join(root, f));

/** Newest modification time among the files under `dir` (skipping build output and dependencies). */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const builtAt = Math.min(...outputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
const sourcesAt = Math.max(newest(join(root, 'server')), newest(join(root, 'client')));
if (builtAt < sourcesAt) {
  console.error('serialdeck: building server and client (first start, or sources changed)…');
  // Build chatter goes to stderr: stdout carries only the listening line, which tools wait for.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
}
await import(new URL('../dist/server/cli.js', import.meta.url).href);
