// The benchmark's device: a socat pseudo-terminal pair. The server under test opens devicePath;
// the generator writes into (and the keystroke check reads from) boardPath.
// Kept here rather than in test/helpers because every run needs a fresh pair and nothing else:
// socat exits once a side that was opened is closed, which happens when a peer stops.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running pty pair. close() kills socat (unblocking any writer) and removes the links; safe twice. */
export interface PtyPair {
  devicePath: string;
  boardPath: string;
  close(): Promise<void>;
}

/** Longest socat may take to print that it is copying, in ms: it takes ~10 ms; a loaded CI box, more. */
const SOCAT_READY_TIMEOUT_MS = 5000;

/** Starts socat with two raw ptys linked in a fresh temporary directory; resolves when it is copying. */
export async function createPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'serialdeck-bench-'));
  const devicePath = join(dir, 'device');
  const boardPath = join(dir, 'board');
  const socat = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${boardPath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  let stderr = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socat not ready in ${SOCAT_READY_TIMEOUT_MS} ms: ${stderr}`)), SOCAT_READY_TIMEOUT_MS);
      socat.once('error', (err) => (clearTimeout(timer), reject(new Error(`cannot run socat (apt-get install socat): ${err.message}`))));
      socat.once('exit', (code) => (clearTimeout(timer), reject(new Error(`socat exited (${code}): ${stderr}`))));
      socat.stderr.setEncoding('utf8').on('data', (text: string) => {
        stderr += text;
        if (stderr.includes('starting data transfer loop')) (clearTimeout(timer), resolve());
      });
    });
  } catch (err) {
    socat.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    devicePath,
    boardPath,
    close: () =>
      (closing ??= (async () => {
        if (socat.exitCode === null && socat.signalCode === null) socat.kill('SIGKILL');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}
