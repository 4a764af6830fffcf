// The test Mosquitto listening on a port, found in /proc (test/helpers/mosquitto.ts does not expose
// its child): the process whose command line is `mosquitto -c FILE` with FILE's `listener PORT`
// line. Its pid lets /proc be read for the broker's CPU; its config file lets a variant widen the
// broker's per-client limits before a restart.
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import type { TestBroker } from '../../helpers/mosquitto.js';

/** The pid and config file of the Mosquitto started on `port`; throws when none is found. */
export function findMosquitto(port: number): { pid: number; conf: string } {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (!args[0]?.endsWith('mosquitto')) continue;
    const conf = args[args.indexOf('-c') + 1];
    if (!conf) continue;
    try {
      if (new RegExp(`^listener ${port}\\b`, 'm').test(readFileSync(conf, 'utf8'))) return { pid: Number(entry), conf };
    } catch {
      continue;
    }
  }
  throw new Error(`no mosquitto process listens on port ${port}`);
}

/**
 * Restarts `broker` with its per-client QoS 1 limits widened (mosquitto.conf(5)): `inflight`
 * unacknowledged messages toward each client instead of 20, and `queued` waiting behind them
 * instead of 1,000 (past which Mosquitto drops messages to that client). Returns the new pid.
 */
export async function widenClientLimits(broker: TestBroker, inflight: number, queued: number): Promise<number> {
  const { pid, conf } = findMosquitto(broker.port);
  appendFileSync(conf, `max_inflight_messages ${inflight}\nmax_queued_messages ${queued}\n`);
  // SIGKILL first: a Mosquitto 2.0.11 sent SIGTERM moments after it started was seen to go on
  // running, and the helper's stop() waits for its exit with no fallback (see closeBroker).
  process.kill(pid, 'SIGKILL');
  await broker.restart();
  return findMosquitto(broker.port).pid;
}

/** Closes `broker` after a SIGKILL to its process (it holds nothing worth a clean exit; see widenClientLimits). */
export async function closeBroker(broker: TestBroker): Promise<void> {
  try {
    process.kill(findMosquitto(broker.port).pid, 'SIGKILL');
  } catch {
    // not running (stopped already, or it never started): close() has nothing to wait for
  }
  await broker.close();
}
