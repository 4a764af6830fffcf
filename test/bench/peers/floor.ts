// Starts the floor (floor-server.mjs) on a device as a peer with TCP clients.
import { fileURLToPath } from 'node:url';
import { connectTcp } from '../clients/tcp-client.js';
import type { Peer } from './peer.js';
import { startServerProcess } from './server-process.js';

const FLOOR_SCRIPT = fileURLToPath(new URL('./floor-server.mjs', import.meta.url));

/** Runs the floor on `devicePath`; resolves when it listens. */
export async function startFloor(devicePath: string): Promise<Peer> {
  const proc = await startServerProcess(process.execPath, [FLOOR_SCRIPT, devicePath], {
    line: /floor listening on tcp:\/\/127\.0\.0\.1:(\d+)/,
  });
  const port = Number(proc.ready);
  return {
    name: 'floor',
    pid: proc.pid,
    startupMs: proc.startupMs,
    connect: (checker) => connectTcp(port, checker),
    stop: () => proc.stop(),
  };
}
