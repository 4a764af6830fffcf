// A real Mosquitto for the MQTT tests: started on 127.0.0.1 with a generated config in a fresh
// temporary directory, on a port the OS reports free (another one is tried if someone takes it
// first), ready once it logs that it is running. stop()/start() (or restart()) bring it down and up
// on the same port, a broker outage; `secure: true` gives a broker that requires a username and
// password over TLS, with a CA and a server certificate made by `selfsigned`.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** The Debian package's binary (test/setup/system-packages.mjs installs it). */
export const MOSQUITTO = '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
/** Longest wait for Mosquitto to log that it runs, in ms: it takes a few ms; the margin is for a loaded 2-core CI machine. */
export const MOSQUITTO_READY_TIMEOUT_MS = 10_000;
/** Free ports tried before giving up: another process taking the one we found is rare, twice in a row rarer still. */
const PORT_ATTEMPTS = 5;

/** What the broker requires of clients when `secure`. */
export interface BrokerCredentials {
  username: string;
  password: string;
  /** PEM of the CA that signed the broker's certificate (for the clients' `ca`), and its file. */
  ca: string;
  caFile: string;
}

/** A running broker. */
export interface TestBroker {
  /** mqtt://127.0.0.1:PORT, or mqtts://… when secure. */
  url: string;
  port: number;
  /** With `websockets`: ws://127.0.0.1:PORT of a second, plain listener speaking MQTT over WebSockets. */
  wsUrl: string | null;
  /** Set when the broker is secure. */
  credentials: BrokerCredentials | null;
  /** Everything the broker logged so far. */
  log(): string;
  /** Resolves once the log matches `pattern` at least `count` times (checked as it logs), rejects after `timeoutMs`. */
  waitForLog(pattern: RegExp, count?: number, timeoutMs?: number): Promise<void>;
  /** Stops it (SIGTERM) and resolves once it exited; clients see the connection drop. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
  /** Stops it and removes its directory; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts Mosquitto on 127.0.0.1: anonymous and plain by default; `secure` requires a username and
 * password over TLS; `persistence` keeps sessions (subscriptions, queued QoS 1 messages) across a
 * restart; `websockets` adds a plain MQTT-over-WebSockets listener (wsUrl).
 */
export async function startMosquitto(options: { secure?: boolean; persistence?: boolean; websockets?: boolean } = {}): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'serialdeck-mosquitto-'));
  let child: ChildProcess | null = null;
  let log = '';
  let closed = false;
  const logWaiters = new Set<() => void>();
  const onLog = (text: string) => {
    log += text;
    for (const waiter of logWaiters) waiter();
  };
  try {
    const credentials = options.secure ? await writeSecurity(dir) : null;
    let port = 0;
    let wsPort: number | null = null;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      wsPort = options.websockets ? await freePort() : null;
      const conf = join(dir, 'mosquitto.conf');
      await writeFile(conf, config(port, dir, credentials !== null, options.persistence === true, wsPort));
      try {
        child = await launch(conf, onLog);
        break;
      } catch (error) {
        // Someone took the port between our check and the broker's bind: try another.
        if (attempt < PORT_ATTEMPTS && /address already in use/i.test((error as Error).message)) continue;
        throw error;
      }
    }
    const conf = join(dir, 'mosquitto.conf');
    /** How long a stopping broker gets before SIGKILL, in ms: it saves its sessions in milliseconds when it heard the SIGTERM. */
    const STOP_GRACE_MS = 3000;
    const stop = async (): Promise<void> => {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = once(running, 'exit');
      running.kill('SIGTERM');
      // Mosquitto can miss a SIGTERM that lands just as it starts up; a broker that has not gone by
      // then is killed outright (it has saved nothing worth waiting for).
      const kill = setTimeout(() => running.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(kill);
    };
    const start = async (): Promise<void> => {
      if (child) throw new Error('the broker is already running');
      child = await launch(conf, onLog);
    };
    return {
      url: `${credentials ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
      port,
      wsUrl: wsPort === null ? null : `ws://127.0.0.1:${wsPort}`,
      credentials,
      log: () => log,
      waitForLog: (pattern, count = 1, timeoutMs = MOSQUITTO_READY_TIMEOUT_MS) =>
        new Promise<void>((resolve, reject) => {
          const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
          const check = () => {
            if ((log.match(global)?.length ?? 0) < count) return;
            clearTimeout(timer);
            logWaiters.delete(check);
            resolve();
          };
          const timer = setTimeout(() => {
            logWaiters.delete(check);
            reject(new Error(`mosquitto did not log ${pattern} ${count} times in ${timeoutMs} ms: ${log}`));
          }, timeoutMs);
          logWaiters.add(check);
          check();
        }),
      stop,
      start,
      restart: async () => {
        await stop();
        await start();
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The same broker under the name the fleet console's tests first used. */
export const startTestBroker = startMosquitto;

function config(port: number, dir: string, secure: boolean, persistence: boolean, wsPort: number | null): string {
  const lines = [
    `listener ${port} 127.0.0.1`,
    // Running as root (a CI container), Mosquitto would switch to the `mosquitto` user, who cannot read this directory.
    ...(process.getuid?.() === 0 ? [`user ${userInfo().username}`] : []),
    // With persistence, sessions and their queued messages survive stop()/start() (saved on SIGTERM).
    ...(persistence ? ['persistence true', `persistence_location ${dir}/`] : ['persistence false']),
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'log_timestamp false',
  ];
  if (secure)
    lines.push(
      'allow_anonymous false',
      `password_file ${join(dir, 'passwd')}`,
      `cafile ${join(dir, 'ca.pem')}`,
      `certfile ${join(dir, 'server.pem')}`,
      `keyfile ${join(dir, 'server-key.pem')}`,
    );
  else lines.push('allow_anonymous true');
  // Settings above belong to the first listener (per_listener_settings is off: the auth ones are global).
  if (wsPort !== null) lines.push(`listener ${wsPort} 127.0.0.1`, 'protocol websockets');
  return `${lines.join('\n')}\n`;
}

/** A CA, a server certificate for 127.0.0.1 and localhost signed by it, and a password file with one user. */
async function writeSecurity(dir: string): Promise<BrokerCredentials> {
  const algorithm = 'sha256';
  const ca = await generate([{ name: 'commonName', value: 'serialdeck test CA' }], {
    keyType: 'ec',
    algorithm,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.cert);
  await writeFile(join(dir, 'server.pem'), server.cert);
  await writeFile(join(dir, 'server-key.pem'), server.private, { mode: 0o600 });
  const credentials = { username: 'node-user', password: `pw-${Math.random().toString(36).slice(2)}`, ca: ca.cert, caFile };
  await run(MOSQUITTO_PASSWD, ['-b', '-c', join(dir, 'passwd'), credentials.username, credentials.password]);
  return credentials;
}

/** Runs Mosquitto on `conf`; resolves once it logs that it is running, rejects with its log if it exits first. */
function launch(conf: string, onLog: (text: string) => void): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => fail(new Error(`mosquitto not running after ${MOSQUITTO_READY_TIMEOUT_MS} ms: ${text}`)), MOSQUITTO_READY_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(new Error(`mosquitto exited (${code}) before it ran: ${text}`));
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'ENOENT' ? new Error(`${MOSQUITTO} is not installed: sudo apt-get install mosquitto`) : error),
    );
    child.once('exit', onExit);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      text += chunk;
      onLog(chunk);
      // Logged once every listener is open: from here it accepts connections.
      if (/mosquitto version \S+ running/.test(text)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(child);
      }
    });
  });
}

/** A TCP port nobody listens on right now on 127.0.0.1 (the OS picks it; Mosquitto cannot be told to take port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}: ${text}`))));
  });
}
