// Starts the built serialdeck server (dist/server/cli.js) on a device as a peer with WebSocket clients.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WS_PATH } from '../../../server/wire/protocol.js';
import { connectWs } from '../clients/ws-client.js';
import type { Peer } from './peer.js';
import { startServerProcess } from './server-process.js';

/** The built CLI the benchmark runs, as a user would (`npm run build` makes it). */
export const SERIALDECK_CLI = fileURLToPath(new URL('../../../dist/server/cli.js', import.meta.url));

/** True when the server has been built; the benchmark leaves its column empty otherwise. */
export function serialdeckBuilt(): boolean {
  return existsSync(SERIALDECK_CLI);
}

/** Extra node flags for the server process (e.g. --cpu-prof), from SERIALDECK_NODE_FLAGS. */
function nodeFlags(): string[] {
  return (process.env.SERIALDECK_NODE_FLAGS ?? '').split(' ').filter(Boolean);
}

/** A serialdeck peer also has a page to open in a browser. */
export interface SerialdeckPeer extends Peer {
  /** The URL the server printed (with its token, if it needs one). */
  readonly pageUrl: string;
}

/** Runs serialdeck on `devicePath` on a free loopback port; resolves at its listening line. */
export async function startSerialdeck(devicePath: string): Promise<SerialdeckPeer> {
  const proc = await startServerProcess(
    process.execPath,
    [...nodeFlags(), SERIALDECK_CLI, devicePath, '--port', '0'],
    { line: /serialdeck listening on (http:\/\/\S+)/ },
  );
  const pageUrl = proc.ready;
  const url = `${new URL(pageUrl).origin.replace(/^http/, 'ws')}${WS_PATH}`;
  return {
    name: 'serialdeck',
    pageUrl,
    pid: proc.pid,
    startupMs: proc.startupMs,
    connect: (checker) => connectWs(url, checker),
    stop: () => proc.stop(),
  };
}
