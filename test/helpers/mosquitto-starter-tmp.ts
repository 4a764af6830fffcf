// A minimal real Mosquitto for the fleet console's tests until test/helpers/mosquitto.ts (the
// bridge's helper) lands: a generated config on loopback, a port the OS picked as free, ready once
// the broker says it is running; restart() stops and starts it on the same port (a broker outage).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Longest wait for Mosquitto to say it is running, in ms (a loaded 2-core CI machine). */
const START_TIMEOUT_MS = 10_000;
/** How long a SIGTERM may take before SIGKILL, in ms: Mosquitto without persistence stops in a few ms. */
const STOP_GRACE_MS = 1_000;

/** A running broker. */
export interface TestBroker {
  url: string;
  port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts Mosquitto on 127.0.0.1 at a free port, anonymous, without persistence. */
export async function startTestBroker(): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'serialdeck-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information', ''].join('\n'));
  let child: ChildProcess | null = null;
  const run = async () => {
    child = await launch(conf);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    // Mosquitto sometimes misses a SIGTERM that comes right after it said it is running: then it is killed.
    const kill = setTimeout(() => running.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(kill);
  };
  await run();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    stop,
    restart: async () => {
      await stop();
      await run();
    },
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function launch(conf: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => fail(new Error(`mosquitto did not start in ${START_TIMEOUT_MS} ms: ${log}`)), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`mosquitto exited (${code}): ${log}`)));
    const onLog = (chunk: Buffer) => {
      log += chunk.toString();
      if (!/running/.test(log)) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stderr!.off('data', onLog);
      child.stderr!.resume(); // keep draining what it logs later, unread
      resolve(child);
    };
    child.stderr!.on('data', onLog);
  });
}

/** A TCP port nobody listens on right now (the OS picks it; Mosquitto cannot be told to). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
