// `npm run start:emulated`: the sensor-board firmware on the emulated Uno, and serialdeck on its
// pty, so the real firmware can be seen in a browser with no board attached. Builds the firmware
// and the emulator first (`make -C firmware`, quick when up to date). Arguments go to serialdeck:
// `npm run start:emulated -- --port 8080`. Ctrl+C stops both.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingPackages } from '../test/setup/ensure-system-packages.mjs';

const firmwareDir = fileURLToPath(new URL('.', import.meta.url));
const root = join(firmwareDir, '..');
/** The sensor board's baud rate (firmware/README.md). */
const BOARD_BAUD = '115200';
/** Longest wait for the emulator to print its pty path, in ms: it takes a few ms. */
const EMULATOR_READY_TIMEOUT_MS = 10_000;
/** The Debian packages this needs (the tests need more: socat, chromium). */
const NEEDED = ['gcc-avr', 'avr-libc', 'binutils-avr', 'arduino-core-avr', 'libsimavr2', 'make', 'gcc', 'libc6-dev'];

const missing = missingPackages().filter((pkg) => NEEDED.includes(pkg));
if (missing.length > 0) {
  console.error(`start:emulated needs these Debian packages: ${missing.join(' ')}`);
  console.error(`  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  process.exit(1);
}
const make = spawnSync('make', ['-C', firmwareDir, '--no-print-directory'], { stdio: 'inherit' });
if (make.status !== 0) process.exit(make.status ?? 1);

const emulator = spawn(join(firmwareDir, 'build/emulated-uno'), [join(firmwareDir, 'build/sensor-board.elf')], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ptyPath = await new Promise((resolve) => {
  let out = '';
  const fail = (why) => {
    console.error(`emulated Uno: ${why}`);
    if (emulator.exitCode === null) emulator.kill('SIGTERM');
    process.exit(1);
  };
  const timer = setTimeout(() => fail(`no pty path within ${EMULATOR_READY_TIMEOUT_MS} ms`), EMULATOR_READY_TIMEOUT_MS);
  emulator.stdout.setEncoding('utf8');
  emulator.stdout.on('data', (text) => {
    out += text;
    if (!out.includes('\n')) return;
    clearTimeout(timer);
    resolve(out.slice(0, out.indexOf('\n')));
  });
  emulator.once('error', (error) => fail(error.message));
  emulator.once('exit', (code) => fail(`exited (${code}) before it was ready`));
});
emulator.removeAllListeners('exit');
console.error(`emulated Uno: sensor-board firmware on ${ptyPath}, ${BOARD_BAUD} baud (firmware/README.md)`);

// A pty refuses the DTR/RTS ioctls: --no-dtr/--no-rts spare serialdeck the attempt. The
// emulator resets the chip on open by itself, as a Uno's DTR would.
const server = spawn(
  process.execPath,
  [join(root, 'server/launch.mjs'), ptyPath, '--baud', BOARD_BAUD, '--no-dtr', '--no-rts', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

let exiting = false;
const stopBoth = (code) => {
  if (exiting) return;
  exiting = true;
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
  if (emulator.exitCode === null && emulator.signalCode === null) emulator.kill('SIGTERM');
  const exited = (child) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
  void Promise.all([exited(server), exited(emulator)]).then(() => process.exit(code));
};
server.once('exit', (code) => stopBoth(code ?? 0));
emulator.once('exit', (code, signal) => {
  // 0: it was told to stop (Ctrl+C reaches it directly); anything else is a failure.
  if (code !== 0) console.error(`emulated Uno exited (${signal ?? code}); stopping serialdeck`);
  stopBoth(code === 0 ? 0 : 1);
});
// Ctrl+C reaches the whole process group; both children stop on it, and we wait for them.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopBoth(0));
