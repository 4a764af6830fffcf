// The termios flags bindings-cpp cannot reach, through stty run on the port's own descriptor.
// bindings-cpp's open() sets data bits, none/odd/even parity, stop bits and flow control, but not
// mark/space parity (CMSPAR: it refuses "Invalid parity setting" on Unix), and it cannot read the
// settings back, so nothing would notice a driver that keeps its own (a Linux pty forces cs8 -parenb).
// No maintained npm package sets termios flags without compiling at install time, and stty (coreutils,
// on every Raspberry Pi OS and macOS) does exactly this; it runs with the descriptor as its stdin, so
// the device is not opened again (another open would assert DTR, which resets an Arduino).
import { spawn } from 'node:child_process';
import type { DataBits, Framing } from '../../wire/limits.js';
import { PortError } from './port.js';

/** Longest wait for stty, in ms: it takes a few ms; the margin is for a loaded Pi. */
export const STTY_TIMEOUT_MS = 5000;

/** Runs `stty args…` on the terminal `fd` (as its stdin); resolves with what it printed, rejects with its reason. */
export function runStty(fd: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('stty', args, { stdio: [fd, 'pipe', 'pipe'], timeout: STTY_TIMEOUT_MS });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (err += text));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new PortError(error.code === 'ENOENT' ? 'stty is not installed (coreutils)' : `stty: ${error.message}`, { code: 'ENOSYS' })),
    );
    child.once('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new PortError(`stty ${args.join(' ')} failed: ${err.trim() || (signal ?? `exit ${code}`)}`, { code: 'EINVAL' }));
    });
  });
}

/** The framing that `stty -a` (GNU or BSD) shows, or null when its output has no cs5..cs8 word. */
export function framingFromStty(text: string): Framing | null {
  const words = new Set(text.split(/[\s;]+/));
  const size = /\bcs([5-8])\b/.exec(text);
  if (!size) return null;
  const on = (flag: string): boolean => words.has(flag);
  let parity: Framing['parity'] = 'none';
  if (on('parenb')) {
    if (on('cmspar')) parity = on('parodd') ? 'mark' : 'space';
    else parity = on('parodd') ? 'odd' : 'even';
  }
  const flow: Framing['flow'] = on('crtscts') ? 'hard' : on('ixon') && on('ixoff') ? 'soft' : 'none';
  return { dataBits: Number(size[1]) as DataBits, parity, stopBits: on('cstopb') ? 2 : 1, flow };
}

/** What of `wanted` the device did not take, in words (`8 data bits, parity none`), or null when it took all. */
export function framingMismatch(wanted: Framing, actual: Framing): string | null {
  const kept: string[] = [];
  if (actual.dataBits !== wanted.dataBits) kept.push(`${actual.dataBits} data bits`);
  if (actual.parity !== wanted.parity) kept.push(`parity ${actual.parity}`);
  if (actual.stopBits !== wanted.stopBits) kept.push(`${actual.stopBits} stop bits`);
  if (actual.flow !== wanted.flow) kept.push(`flow ${actual.flow}`);
  return kept.length === 0 ? null : kept.join(', ');
}
