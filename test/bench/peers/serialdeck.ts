// Starts the built serialdeck server (dist/server/cli.js) on a device as a peer with WebSocket
// clients. Each start gets a fresh temporary data directory for its capture (removed by stop()),
// so no run reads what another left and nothing is left in the user's state directory.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WS_PATH } from '../../../server/wire/protocol.js';
import type { PortSummary } from '../../../server/wire/api.js';
import { connectWs } from '../clients/ws-client.js';
import type { Peer, PeerName } from './peer.js';
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

/** How to run serialdeck. */
export interface SerialdeckOptions {
  /** Keep a capture on disk (the default), or run with --no-capture (memory only). */
  capture?: boolean;
  /** --retain, in bytes: capture kept on disk; unset: the server's default (64 MiB). */
  retainBytes?: number;
}

/** A serialdeck peer also has a page to open in a browser and an HTTP API. */
export interface SerialdeckPeer extends Peer {
  /** The URL the server printed (with its token, if it needs one). */
  readonly pageUrl: string;
  /** http://host:port of the server, for the API. */
  readonly origin: string;
  /** The data directory of this run, or null with --no-capture. */
  readonly dataDir: string | null;
  /** The first (only) port's summary from GET /api/ports/ID: its id, stream id and end offset, capture state. */
  port(): Promise<PortSummary>;
}

/** Runs serialdeck on `devicePath` on a free loopback port; resolves at its listening line. */
export async function startSerialdeck(devicePath: string, options: SerialdeckOptions = {}): Promise<SerialdeckPeer> {
  const capture = options.capture ?? true;
  const name: PeerName = capture ? 'serialdeck' : 'serialdeck-nocapture';
  const dataDir = capture ? await mkdtemp(join(tmpdir(), 'serialdeck-bench-data-')) : null;
  const removeDataDir = async (): Promise<void> => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  const args = [...nodeFlags(), SERIALDECK_CLI, devicePath, '--port', '0'];
  args.push(...(dataDir ? ['--data-dir', dataDir] : ['--no-capture']));
  if (options.retainBytes !== undefined) args.push('--retain', String(options.retainBytes));
  let proc;
  try {
    proc = await startServerProcess(process.execPath, args, { line: /serialdeck listening on (http:\/\/\S+)/ });
  } catch (err) {
    await removeDataDir();
    throw err;
  }
  const started = proc;
  const pageUrl = started.ready;
  const origin = new URL(pageUrl).origin;
  const wsUrl = `${origin.replace(/^http/, 'ws')}${WS_PATH}`;
  let portId: string | null = null;
  const port = async (): Promise<PortSummary> => {
    if (portId === null) {
      const list = (await getJson(`${origin}/api/ports`)) as PortSummary[];
      const first = list[0];
      if (!first) throw new Error('serialdeck serves no port');
      portId = first.id;
    }
    return (await getJson(`${origin}/api/ports/${encodeURIComponent(portId)}`)) as PortSummary;
  };
  return {
    name,
    pageUrl,
    origin,
    dataDir,
    pid: started.pid,
    startupMs: started.startupMs,
    port,
    connect: (checker, connectOptions = {}) =>
      connectWs(connectOptions.mode ? `${wsUrl}?mode=${connectOptions.mode}` : wsUrl, checker),
    stop: async () => {
      await started.stop();
      await removeDataDir();
    },
  };
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Poll interval while waiting for the device to open, in ms. */
const DEVICE_POLL_MS = 20;

/**
 * Resolves once serialdeck reports its device open. It prints its listening line (and answers the
 * API) before the device is open: bytes a board writes before then are not read (lost, as they are
 * on a real port nobody has open), so a figure that must account for every line waits for this first.
 */
export async function waitDeviceOpen(peer: SerialdeckPeer, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { device } = await peer.port();
    if (device.state === 'open') return;
    if (Date.now() > until) throw new Error(`serialdeck's device not open after ${timeoutMs} ms (${device.state}${device.message ? `: ${device.message}` : ''})`);
    await new Promise((resolve) => setTimeout(resolve, DEVICE_POLL_MS));
  }
}
