// A pseudo-terminal pair that stands in for a USB serial port in tests: socat links two ptys,
// `devicePath` is what serialdeck opens, `boardPath` is the board's end. The board end can be
// driven from the test (`board`), or left to another program (simavr) with { openBoard: false }.
// unplug() kills socat (both links vanish, as /dev/ttyACM0 does when a board is pulled) and
// replug() brings the same link paths back. Every wait is on an event or a bounded deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, constants, open as fsOpen, write as fsWrite } from 'node:fs';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';

/** Longest wait for socat to come up, in ms: it takes a few ms; the margin is for a loaded CI machine. */
export const SOCAT_READY_TIMEOUT_MS = 10_000;
/** Default deadline of the board's read helpers, in ms: generous, so only a real failure trips it. */
export const BOARD_READ_TIMEOUT_MS = 10_000;
/** Pause before retrying a write the pty refused with EAGAIN (its buffer is full), in ms. */
const WRITE_RETRY_MS = 2;

/** The board's end of the pair, as a test drives it. Survives unplug/replug (it reopens its end). */
export interface PtyBoard {
  /** Writes bytes (a string is UTF-8 encoded) to the device side; resolves once the pty took them all. */
  write(data: Uint8Array | string): Promise<void>;
  /** Calls `listener` with every chunk the board receives from now on; returns an unsubscribe function. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Resolves with exactly the next `count` unread bytes, once they have arrived. */
  readBytes(count: number, timeoutMs?: number): Promise<Uint8Array>;
  /** Resolves with the unread text up to and including the first `text`, once it has arrived (UTF-8). */
  readUntil(text: string, timeoutMs?: number): Promise<string>;
  /** Discards unread bytes; returns how many. */
  discard(): number;
}

/** A running pair; close() it in afterEach/afterAll. */
export interface PtyPair {
  /** The path serialdeck opens: a symlink to the current /dev/pts/N, like a /dev/serial/by-id link. */
  devicePath: string;
  /** The board's end: a symlink to the other pty. */
  boardPath: string;
  board: PtyBoard;
  /** Pulls the device: kills socat and resolves once it exited (both links are gone). */
  unplug(): Promise<void>;
  /** Plugs it back: socat again with the same link paths; resolves once both links exist and the board end is open. */
  replug(): Promise<void>;
  /** Kills socat, closes the board end, removes the temporary directory. Safe to call twice. */
  close(): Promise<void>;
}

/** How a pair is made. */
export interface PtyPairOptions {
  /** false: leave the board end to another program (default: the pair opens it). */
  openBoard?: boolean;
  /**
   * Most bytes socat moves per read (its -b; default socat's 8192). A board that stops reading needs 1:
   * socat relays both ways in one thread, and a larger chunk than the stalled side has room for
   * blocks it in write(), so it stops relaying the board's output too (2 in 10 tries here). One byte
   * always fits when the pty says it is writable.
   */
  relayChunkBytes?: number;
}

/** Starts socat linking two raw ptys in a fresh temporary directory. */
export async function createPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'serialdeck-pty-'));
  const devicePath = join(dir, 'device');
  const boardPath = join(dir, 'board');
  const board = new BoardEnd(boardPath);
  let socat: ChildProcess | undefined;
  let closed = false;

  const plug = async () => {
    socat = await startSocat(devicePath, boardPath, options.relayChunkBytes);
    if (options.openBoard !== false) await board.open();
  };
  const unplug = async () => {
    const running = socat;
    socat = undefined;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = once(running, 'exit');
      running.kill('SIGTERM');
      await exited;
    }
    await board.closeEnd();
  };

  await plug().catch(async (error: unknown) => {
    await unplug();
    await rm(dir, { recursive: true, force: true });
    throw error;
  });

  return {
    devicePath,
    boardPath,
    board,
    unplug,
    async replug() {
      if (socat) throw new Error('replug(): the pty pair is still plugged in');
      await plug();
    },
    async close() {
      if (closed) return;
      closed = true;
      await unplug();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startSocat(devicePath: string, boardPath: string, relayChunkBytes?: number): Promise<ChildProcess> {
  const chunk = relayChunkBytes === undefined ? [] : ['-b', String(relayChunkBytes)];
  const args = ['-d', '-d', ...chunk, `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${boardPath}`];
  const socat = spawn('socat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  // With -d -d socat logs this line once both ptys and links exist: the readiness event.
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`socat not ready after ${SOCAT_READY_TIMEOUT_MS} ms: ${log}`)),
      SOCAT_READY_TIMEOUT_MS,
    );
    const done = (error?: Error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    socat.stderr?.setEncoding('utf8');
    socat.stderr?.on('data', (text: string) => {
      log += text;
      if (log.includes('starting data transfer loop')) done();
    });
    socat.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code === 'ENOENT' ? new Error('socat is not installed: sudo apt-get install socat') : error),
    );
    socat.once('exit', (code) => done(new Error(`socat exited (${code}) before it was ready: ${log}`)));
  });
  try {
    await ready;
    await Promise.all([lstat(devicePath), lstat(boardPath)]);
  } catch (error) {
    if (socat.exitCode === null) socat.kill('SIGKILL');
    throw error;
  }
  return socat;
}

interface Waiter {
  ready(): boolean;
}

/** The test's handle on the board pty: reads into a buffer that the read helpers consume. */
class BoardEnd implements PtyBoard {
  private fd: number | undefined;
  private stream: ReadStream | undefined;
  private unread: Uint8Array = new Uint8Array(0);
  private readonly listeners = new Set<(chunk: Uint8Array) => void>();
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly path: string) {}

  async open(): Promise<void> {
    // O_NONBLOCK: the fd is shared with libuv's tty handle, and writes must not block the test's loop.
    // A raw fd, not a FileHandle: the tty stream takes ownership and closes it.
    const fd = await new Promise<number>((resolve, reject) =>
      fsOpen(this.path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK, (error, opened) =>
        error ? reject(error) : resolve(opened),
      ),
    );
    const stream = new ReadStream(fd);
    // libuv reopens a tty on a new descriptor when it wraps it and leaves the old number as a
    // duplicate: close that, and write through the stream's own descriptor.
    const streamFd = (stream as unknown as { _handle?: { fd?: number } })._handle?.fd ?? fd;
    if (streamFd !== fd) closeSync(fd);
    this.fd = streamFd;
    this.stream = stream;
    stream.on('data', (chunk: Buffer) => this.receive(new Uint8Array(chunk)));
    stream.on('error', () => undefined); // EIO once socat is gone: that is the unplug, not a failure
  }

  async closeEnd(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    this.fd = undefined; // the stream owns the fd and closes it
    if (stream && !stream.closed) {
      const closed = once(stream, 'close');
      stream.destroy();
      await closed;
    }
  }

  async write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let offset = 0;
    while (offset < bytes.byteLength) {
      const fd = this.fd;
      if (fd === undefined) throw new Error('board end is not open (unplugged?)');
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
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readBytes(count: number, timeoutMs = BOARD_READ_TIMEOUT_MS): Promise<Uint8Array> {
    return this.waitFor(() => (this.unread.byteLength >= count ? count : -1), timeoutMs, `${count} bytes`).then(
      (end) => this.take(end),
    );
  }

  readUntil(text: string, timeoutMs = BOARD_READ_TIMEOUT_MS): Promise<string> {
    const needle = new TextEncoder().encode(text);
    return this.waitFor(
      () => {
        const at = indexOf(this.unread, needle);
        return at < 0 ? -1 : at + needle.byteLength;
      },
      timeoutMs,
      JSON.stringify(text),
    ).then((end) => new TextDecoder().decode(this.take(end)));
  }

  discard(): number {
    const count = this.unread.byteLength;
    this.unread = new Uint8Array(0);
    return count;
  }

  private receive(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.unread.byteLength + chunk.byteLength);
    joined.set(this.unread);
    joined.set(chunk, this.unread.byteLength);
    this.unread = joined;
    for (const listener of this.listeners) listener(chunk);
    for (const waiter of this.waiters) waiter.ready();
  }

  private take(end: number): Uint8Array {
    const taken = this.unread.slice(0, end);
    this.unread = this.unread.slice(end);
    return taken;
  }

  /** Resolves with check()'s result once it is >= 0, checking now and after every chunk. */
  private waitFor(check: () => number, timeoutMs: number, what: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        ready: () => {
          const end = check();
          if (end < 0) return false;
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(end);
          return true;
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const got = JSON.stringify(new TextDecoder().decode(this.unread));
        reject(new Error(`board: waited ${timeoutMs} ms for ${what}; unread: ${got}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      waiter.ready();
    });
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.byteLength <= haystack.byteLength; i++) {
    for (let j = 0; j < needle.byteLength; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
