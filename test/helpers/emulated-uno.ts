// The emulated Arduino Uno for tests: firmware/build/emulated-uno running the sensor-board
// firmware (both built by `make -C firmware`, which `npm test` runs), with its UART0 on a pty.
// startEmulatedUno() resolves once the emulator printed its pty path; stop() ends it by pid.
// openPtyTerminal() opens that pty as a terminal program would, to talk to the firmware
// directly. The firmware's serial contract is in firmware/README.md.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, close as fsClose, constants, open as fsOpen, write as fsWrite } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ReadStream } from 'node:tty';

/** Where `make -C firmware` leaves the emulator and the firmware. */
export const FIRMWARE_BUILD_DIR = fileURLToPath(new URL('../../firmware/build/', import.meta.url));
export const EMULATOR_PATH = `${FIRMWARE_BUILD_DIR}emulated-uno`;
export const SENSOR_BOARD_ELF = `${FIRMWARE_BUILD_DIR}sensor-board.elf`;

/** Longest wait for the emulator to print its pty path, in ms: it takes ~10 ms; the rest is margin for a loaded CI machine. */
export const EMULATOR_READY_TIMEOUT_MS = 10_000;
/** Longest wait for the emulator to exit after SIGTERM before SIGKILL, in ms: it stops within one 1 ms slice. */
export const EMULATOR_STOP_TIMEOUT_MS = 3_000;
/** Default deadline of the terminal's read helpers, in ms: generous, so only a real failure trips it. */
export const BOARD_REPLY_TIMEOUT_MS = 10_000;
/** Pause before retrying a write the pty refused with EAGAIN (its buffer is full), in ms. */
const WRITE_RETRY_MS = 2;

/** Baud rate of the sensor-board firmware (firmware/README.md). */
export const BOARD_BAUD = 115200;
/** The banner line the firmware prints after every reset, and the prompt after it. */
export const BOARD_BANNER = 'READY sensor-board 1.0\r\n';
export const BOARD_PROMPT = '> ';
/** One reading line, without its CRLF: the fields in this order, temp with one decimal, the rest integers. */
export const READING_LINE = /^\{"temp":-?\d+\.\d,"humidity":\d+,"ppm":\d+,"pressure":\d+\}$/;

/** A running emulator. */
export interface EmulatedUno {
  /** The pty its UART0 is on (e.g. /dev/pts/4): what serialdeck opens. */
  path: string;
  pid: number;
  /** Everything the emulator wrote on stderr so far. */
  stderr(): string;
  /** Ends it by pid (SIGTERM, then SIGKILL after EMULATOR_STOP_TIMEOUT_MS); resolves once it exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of startEmulatedUno(). */
export interface EmulatedUnoOptions {
  /** Firmware to run; default the sensor board. */
  elf?: string;
  /** Reset the chip when a client opens the pty (the Uno's DTR auto-reset). Default true. */
  resetOnOpen?: boolean;
  /** Also make this path a symlink to the pty. */
  link?: string;
  /** Pass --verbose: client open/close notes on stderr. */
  verbose?: boolean;
}

/** Starts the emulator and resolves once it printed its pty path; rejects with the reason (and stderr) otherwise. */
export async function startEmulatedUno(options: EmulatedUnoOptions = {}): Promise<EmulatedUno> {
  const elf = options.elf ?? SENSOR_BOARD_ELF;
  for (const file of [EMULATOR_PATH, elf]) {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new Error(`${file} is missing: run \`make -C firmware\` (npm test does it before the tests)`);
    }
  }
  const args: string[] = [];
  if (options.resetOnOpen === false) args.push('--no-reset-on-open');
  if (options.link) args.push('--link', options.link);
  if (options.verbose) args.push('--verbose');
  args.push(elf);

  const child = spawn(EMULATOR_PATH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      }, EMULATOR_STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    })());

  try {
    const path = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(
        () => reject(new Error(`emulated Uno printed no pty path within ${EMULATOR_READY_TIMEOUT_MS} ms; stderr: ${stderr}`)),
        EMULATOR_READY_TIMEOUT_MS,
      );
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        stdout += text;
        const newline = stdout.indexOf('\n');
        if (newline < 0) return;
        clearTimeout(timer);
        resolve(stdout.slice(0, newline));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`emulated Uno exited (${signal ?? code}) before it was ready; stderr: ${stderr}`));
      });
    });
    return { path, pid: child.pid as number, stderr: () => stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The pty opened like a terminal program: raw bytes in and out, with read helpers over the text received. */
export interface PtyTerminal {
  /** Writes all of `data` (a string as latin1, one byte per char); resolves once the pty took it. */
  write(data: string | Uint8Array): Promise<void>;
  /** Resolves with the unread text up to and including the first match of `pattern`, and consumes it. */
  readUntil(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** The text received and not yet consumed. */
  unread(): string;
  /** Everything received since the pty was opened, as latin1 text. */
  received(): string;
  /** Closes the pty; safe to call twice. */
  close(): Promise<void>;
}

/** Opens `path` (O_NOCTTY, non-blocking) and reads it continuously. The emulator made it raw. */
export async function openPtyTerminal(path: string): Promise<PtyTerminal> {
  const fd = await new Promise<number>((resolve, reject) =>
    fsOpen(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK, (error, opened) =>
      error ? reject(error) : resolve(opened),
    ),
  );
  const stream = new ReadStream(fd);
  // libuv reopens a pty slave by path for its handle and dup2()s that over `fd`: destroying the
  // stream then closes only the handle's descriptor, and `fd` would keep the pty open (the
  // emulator would never see the client leave). `fd` is ours to close when the numbers differ.
  const handleFd = (stream as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  const ownsFd = typeof handleFd === 'number' && handleFd !== fd;
  let closing: Promise<void> | undefined;
  let all = '';
  let cursor = 0;
  let ended = false;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((waiter) => waiter());
  stream.on('data', (chunk: Buffer) => {
    all += chunk.toString('latin1');
    notify();
  });
  // EIO once the emulator is gone: the end of the stream, reported by the read helpers.
  stream.on('error', () => undefined);
  stream.on('close', () => {
    ended = true;
    notify();
  });

  const find = (pattern: string | RegExp): number => {
    const rest = all.slice(cursor);
    if (typeof pattern === 'string') {
      const at = rest.indexOf(pattern);
      return at < 0 ? -1 : cursor + at + pattern.length;
    }
    const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(rest);
    return match ? cursor + match.index + match[0].length : -1;
  };

  return {
    async write(data) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      let offset = 0;
      while (offset < bytes.byteLength) {
        if (stream.closed || closing) throw new Error(`${path} is closed`);
        try {
          offset += await new Promise<number>((resolve, reject) =>
            fsWrite(fd, bytes, offset, bytes.byteLength - offset, null, (error, written) =>
              error ? reject(error) : resolve(written),
            ),
          );
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
          await new Promise((resolve) => setTimeout(resolve, WRITE_RETRY_MS));
        }
      }
    },
    readUntil(pattern, timeoutMs = BOARD_REPLY_TIMEOUT_MS) {
      return new Promise<string>((resolve, reject) => {
        const waiter = () => {
          const end = find(pattern);
          if (end < 0 && !ended) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          if (end < 0) {
            reject(new Error(`${path} closed while waiting for ${String(pattern)}; unread: ${JSON.stringify(all.slice(cursor))}`));
            return;
          }
          const text = all.slice(cursor, end);
          cursor = end;
          resolve(text);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(`waited ${timeoutMs} ms for ${String(pattern)} on ${path}; unread: ${JSON.stringify(all.slice(cursor))}`),
          );
        }, timeoutMs);
        waiters.add(waiter);
        waiter();
      });
    },
    unread: () => all.slice(cursor),
    received: () => all,
    async close() {
      if (closing) return closing;
      closing = (async () => {
        if (!stream.closed) {
          const closed = once(stream, 'close');
          stream.destroy();
          await closed;
        }
        if (ownsFd) await new Promise<void>((resolve) => fsClose(fd, () => resolve()));
      })();
      return closing;
    },
  };
}

/** The JSON readings in `text`: every line that is one JSON object, parsed. */
export function readingsIn(text: string): Array<Record<string, unknown>> {
  return text
    .split('\r\n')
    .filter((line) => line.startsWith('{') && line.endsWith('}'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** 1 KiB of `echo` lines, 32 bytes each with their LF: `echo paste-07 ..................`. */
export function pasteLines(): string[] {
  return Array.from({ length: 32 }, (_, i) => `echo paste-${String(i).padStart(2, '0')} `.padEnd(31, '.') + '\n');
}

/** What the firmware replies to the `echo` line `line` (which ends with LF). */
export function echoReply(line: string): string {
  return line.replace(/^echo /, '').replace(/\n$/, '');
}
