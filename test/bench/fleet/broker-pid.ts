// The pid of the test Mosquitto listening on a port, found in /proc (test/helpers/mosquitto.ts does
// not expose its child): the process whose command line is `mosquitto -c FILE` with FILE's
// `listener PORT` line, so /proc can be read for the broker's CPU.
import { readdirSync, readFileSync } from 'node:fs';

/** The pid of the Mosquitto started on `port`; throws when none is found. */
export function mosquittoPid(port: number): number {
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
      if (new RegExp(`^listener ${port}\\b`, 'm').test(readFileSync(conf, 'utf8'))) return Number(entry);
    } catch {
      continue;
    }
  }
  throw new Error(`no mosquitto process listens on port ${port}`);
}
