// Starts the floor (floor-server.mjs), or its worker-thread variant (floor-worker-server.mjs), on a
// device as a peer with TCP clients.
import { fileURLToPath } from 'node:url';
import { connectTcp } from '../clients/tcp-client.js';
import type { Peer } from './peer.js';
import { startServerProcess } from './server-process.js';

const SCRIPTS = {
  floor: fileURLToPath(new URL('./floor-server.mjs', import.meta.url)),
  'floor-worker': fileURLToPath(new URL('./floor-worker-server.mjs', import.meta.url)),
} as const;

/** Runs the floor (or `floor-worker`) on `devicePath`; resolves when it listens. */
export async function startFloor(devicePath: string, name: keyof typeof SCRIPTS = 'floor'): Promise<Peer> {
  const proc = await startServerProcess(process.execPath, [SCRIPTS[name], devicePath], {
    line: new RegExp(`${name} listening on tcp://127\\.0\\.0\\.1:(\\d+)`),
  });
  const port = Number(proc.ready);
  return {
    name,
    pid: proc.pid,
    startupMs: proc.startupMs,
    connect: (checker) => connectTcp(port, checker),
    stop: () => proc.stop(),
  };
}
