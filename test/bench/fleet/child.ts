// A TypeScript child process of the fleet bench (the simulator, the floor subscriber), forked with
// tsx and spoken to over Node's IPC channel: a process of its own so /proc reads its CPU and memory apart.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { withDeadline } from '../deadline.js';

/** Grace between SIGTERM and SIGKILL, in ms: the children hold nothing that needs a clean exit. */
const STOP_GRACE_MS = 2000;

/** A running child: its pid, the next message of a kind, a message to it, and stop(). */
export interface BenchChild<To, From extends { type: string }> {
  readonly pid: number;
  /** Resolves with the next message of `type`; rejects on an `error` message, an exit, or after `ms`. */
  next<K extends From['type']>(type: K, ms: number): Promise<Extract<From, { type: K }>>;
  send(message: To): void;
  /** Everything it wrote to stderr, for error messages. */
  stderr(): string;
  /** Ends it; safe twice. */
  stop(): Promise<void>;
}

/** Forks `entry` (a .ts file, run through tsx) with `arg` as its one argument (JSON). */
export function forkChild<To, From extends { type: string }>(entry: URL, arg: unknown): BenchChild<To, From> {
  const child: ChildProcess = fork(entry, [JSON.stringify(arg)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (stderr += text));
  const exited = once(child, 'exit');
  const inbox: From[] = [];
  const waiters = new Set<() => void>();
  child.on('message', (message: From) => {
    inbox.push(message);
    for (const wake of [...waiters]) wake();
  });
  child.on('exit', () => {
    for (const wake of [...waiters]) wake();
  });
  if (child.pid === undefined) throw new Error(`${entry.pathname}: no pid`);
  let stopping: Promise<void> | null = null;
  return {
    pid: child.pid,
    stderr: () => stderr,
    send: (message) => void child.send(message as object),
    next<K extends From['type']>(type: K, ms: number) {
      const found = new Promise<Extract<From, { type: K }>>((resolve, reject) => {
        const check = () => {
          const error = inbox.find((m) => m.type === 'error') as { message?: string } | undefined;
          if (error) return done(() => reject(new Error(`${entry.pathname}: ${error.message ?? 'error'}`)));
          const at = inbox.findIndex((m) => m.type === type);
          if (at >= 0) {
            const [message] = inbox.splice(at, 1);
            return done(() => resolve(message as Extract<From, { type: K }>));
          }
          if (child.exitCode !== null || child.signalCode !== null)
            done(() => reject(new Error(`${entry.pathname} exited (${child.exitCode ?? child.signalCode}): ${stderr.trim().slice(-2000)}`)));
        };
        const done = (settle: () => void) => {
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
      return withDeadline(found, ms, `${entry.pathname}: no ${type} in ${ms} ms ${stderr.trim().slice(-2000)}`);
    },
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
