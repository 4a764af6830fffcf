// Runs a server under test as a child process and times its start-up to a ready signal.
import { spawn, type ChildProcess } from 'node:child_process';

/** A started server process. stop() sends SIGTERM, then SIGKILL after a grace period; safe twice. */
export interface ServerProcess {
  readonly pid: number;
  /** Spawn → ready signal, in ms. */
  readonly startupMs: number;
  /** What the ready signal carried (the regex match on stdout, or the ready check's value). */
  readonly ready: string;
  /** Everything the process wrote so far, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/** How a process says it is ready: a stdout line matching `line` (group 1 is kept), or a polled check. */
export type ReadySignal =
  | { line: RegExp }
  | { poll: () => string | null; everyMs: number };

/** Longest a server may take to become ready, in ms: they all start in well under a second. */
const READY_TIMEOUT_MS = 15_000;
/** Grace between SIGTERM and SIGKILL, in ms: a clean shutdown takes milliseconds. */
const STOP_GRACE_MS = 3000;

/** Spawns `command` and resolves once it is ready; rejects (and kills it) if it exits or times out. */
export async function startServerProcess(command: string, args: string[], signal: ReadySignal): Promise<ServerProcess> {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (output += text));
  let ready: string;
  try {
    ready = await waitReady(child, signal, (text) => (output += text));
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${command} ${args.join(' ')}: ${(err as Error).message}\n${output.trim()}`);
  }
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.pid === undefined) throw new Error(`${command}: no pid`);
  let stopping: Promise<void> | null = null;
  return {
    pid: child.pid,
    startupMs,
    ready,
    output: () => output,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      })()),
  };
}

function waitReady(child: ChildProcess, signal: ReadySignal, log: (text: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let poller: NodeJS.Timeout | undefined;
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      clearInterval(poller);
      fn();
    };
    const timer = setTimeout(() => done(() => reject(new Error(`not ready in ${READY_TIMEOUT_MS} ms`))), READY_TIMEOUT_MS);
    child.once('error', (err) => done(() => reject(err)));
    child.once('exit', (code, sig) => done(() => reject(new Error(`exited early (${code ?? sig})`))));
    let pending = '';
    child.stdout?.on('data', (text: string) => {
      log(text);
      if (!('line' in signal)) return;
      pending += text;
      const match = signal.line.exec(pending);
      if (match) done(() => resolve(match[1] ?? match[0]));
    });
    if ('poll' in signal) {
      // No event exists for "listening" here (ser2net prints nothing), so the check is polled, bounded by the timeout.
      poller = setInterval(() => {
        const value = signal.poll();
        if (value !== null) done(() => resolve(value));
      }, signal.everyMs);
    }
  });
}
