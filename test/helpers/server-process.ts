// serialdeck as a separate process, run from source the way a user runs the CLI
// (`node --import tsx server/cli.ts DEVICE… --data-dir D -p 0`), for tests that must kill it for
// real (kill -9). Ready when it prints its "serialdeck listening on URL" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));
/** Longest wait for the listening line, in ms: tsx compiles the sources on the first start; a loaded CI machine is slow. */
export const SERVER_READY_TIMEOUT_MS = 30_000;

/** A running server process. */
export interface ServerProcess {
  child: ChildProcess;
  /** Base URL from its listening line, ending in '/'. */
  url: string;
  /** Everything it wrote to stderr so far (its log). */
  stderr(): string;
  /** Sends `signal` and resolves once it exited, with its exit code or signal. */
  kill(signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/** Starts `serialdeck ARGS… -p 0` from source; resolves once it listens, rejects (and kills it) if it exits or is not ready in time. */
export async function startServerProcess(args: string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '-p', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serialdeck did not print its listening line in ${SERVER_READY_TIMEOUT_MS} ms; stderr: ${stderr}`)),
      SERVER_READY_TIMEOUT_MS,
    );
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`serialdeck exited (${String(how)}) before listening; stderr: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^serialdeck listening on (\S+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
  }).catch((error: unknown) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw error;
  });

  return {
    child,
    url,
    stderr: () => stderr,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await once(child, 'exit').catch(() => undefined);
      }
      return exited;
    },
  };
}
