// The fleet console under test: the built serialdeck (dist/server/cli.js) started with `--fleet URL`
// and no local port, as a child process, so /proc reads its CPU and memory. Its HTTP API says which
// remote ports it serves and where their streams stand; its downloads give each port's bytes by
// offset for the loss check.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PortSummary } from '../../../server/wire/api.js';
import { SERIALDECK_CLI } from '../peers/serialdeck.js';
import { startServerProcess } from '../peers/server-process.js';

/**
 * WebSocket clients the console accepts, over all ports: above the bench's sample and the page's
 * own, so the cap never refuses one (the default, 32, is sized for a room of viewers on one Pi).
 */
const MAX_CLIENTS = 1000;

/** A running fleet console. */
export interface FleetConsoleProcess {
  readonly pid: number;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** GET /api/ports. */
  ports(): Promise<PortSummary[]>;
  /** The bytes of port `id` in [0, end) from its capture (GET …/download?format=raw), with their SHA-256. */
  download(id: string, end: number): Promise<{ bytes: Buffer; sha256: string }>;
  /** Stops it and removes its data directory; safe twice. */
  stop(): Promise<void>;
}

/** Starts `serialdeck --fleet brokerUrl` on a free loopback port with a fresh data directory. */
export async function startFleetConsole(brokerUrl: string): Promise<FleetConsoleProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'serialdeck-bench-fleet-'));
  const args = [SERIALDECK_CLI, '--fleet', brokerUrl, '--port', '0', '--data-dir', dataDir, '--max-clients', String(MAX_CLIENTS)];
  const proc = await startServerProcess(process.execPath, args, { line: /serialdeck listening on (http:\/\/\S+)/ }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const origin = new URL(proc.ready).origin;
  return {
    pid: proc.pid,
    origin,
    ports: async () => (await getJson(`${origin}/api/ports`)) as PortSummary[],
    download: async (id, end) => {
      const response = await fetch(`${origin}/api/ports/${encodeURIComponent(id)}/download?format=raw&from=0&to=${end}`);
      if (!response.ok) throw new Error(`download ${id}: ${response.status} ${await response.text()}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    },
    stop: async () => {
      await proc.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}
