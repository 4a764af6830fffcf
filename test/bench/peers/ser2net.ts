// Starts Debian's ser2net (v4, YAML config) on a device as a peer with TCP clients.
// Its shipped defaults are kept (chardelay on, 64-byte buffers); the only option set is
// max-connections, without which a second client is refused.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectTcp } from '../clients/tcp-client.js';
import { freePort } from '../free-port.js';
import type { Peer } from './peer.js';
import { startServerProcess } from './server-process.js';

/** Where Debian installs ser2net. */
export const SER2NET_PATH = '/usr/sbin/ser2net';
/** Most clients the benchmark connects at once: the slow-client figure uses ten. */
const MAX_CONNECTIONS = 10;
/** How often to look for ser2net's listening socket, in ms (it prints nothing when ready). */
const LISTEN_POLL_MS = 5;

/** True when ser2net is installed; the benchmark leaves its column empty otherwise. */
export function ser2netInstalled(): boolean {
  return existsSync(SER2NET_PATH);
}

/** Runs ser2net serving `devicePath` as raw TCP on a free loopback port; resolves when it listens. */
export async function startSer2net(devicePath: string): Promise<Peer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'serialdeck-bench-ser2net-'));
  const config = join(dir, 'ser2net.yaml');
  writeFileSync(
    config,
    [
      '%YAML 1.1',
      '---',
      'connection: &bench',
      `  accepter: tcp,127.0.0.1,${port}`,
      `  connector: serialdev,${devicePath},115200n81,local`,
      '  options:',
      `    max-connections: ${MAX_CONNECTIONS}`,
      '',
    ].join('\n'),
  );
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  try {
    const proc = await startServerProcess(SER2NET_PATH, ['-d', '-u', '-c', config], {
      poll: () => (isListening(portHex) ? String(port) : null),
      everyMs: LISTEN_POLL_MS,
    });
    return {
      name: 'ser2net',
      pid: proc.pid,
      startupMs: proc.startupMs,
      connect: (checker) => connectTcp(port, checker),
      stop: async () => {
        await proc.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** True when 127.0.0.1:<portHex> is in LISTEN state (st 0A) in /proc/net/tcp. */
function isListening(portHex: string): boolean {
  const table = readFileSync('/proc/net/tcp', 'utf8');
  return table.includes(`0100007F:${portHex} 00000000:0000 0A`);
}
