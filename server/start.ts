// Wires one serialdeck together: a serial worker for the device, the WebSocket hub, and the Koa app,
// on one http.Server. Shared by the CLI and the tests; returns a handle instead of running forever.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, isLoopbackHost, validateConfig, type Config } from './config.js';
import { generateToken } from './access/token.js';
import { createApp } from './http/app.js';
import { Hub } from './hub/hub.js';
import { createSerialHandle } from './serial/handle.js';
import { listPorts } from './serial/devices/list-ports.js';
import type { FromWorker } from './serial/messages.js';

/** A running serialdeck. */
export interface RunningServer {
  /** Base URL, ending in '/'. */
  url: string;
  /** The URL to open first: with `?token=` when a token is required. */
  openUrl: string;
  /** The config in force (with the token filled in when one was generated). */
  config: Config;
  /** Closes clients (1001), the device and the server; safe to call twice. */
  close(): Promise<void>;
}

/** Starts serving `config` (defaults for what is missing). Off loopback a token is generated when none is given. */
export async function start(partial: Partial<Config> = {}): Promise<RunningServer> {
  const config = validateConfig({ ...DEFAULT_CONFIG, ...partial });
  if (config.token === null && !isLoopbackHost(config.host)) config.token = generateToken();

  let hub: Hub | null = null;
  const onMessage = (message: FromWorker): void => {
    if (!hub) return;
    if (message.type === 'data') hub.onDeviceData(message.data);
    else if (message.type === 'status') hub.onDeviceStatus(message.status);
    else if (message.type === 'error') hub.onDeviceError(message.error.message);
  };
  const serial = createSerialHandle(
    {
      path: config.device,
      baudRate: config.baudRate,
      dtr: config.dtr,
      rts: config.rts,
      charDelayMs: config.charDelayMs,
      lineDelayMs: config.lineDelayMs,
    },
    onMessage,
  );
  hub = new Hub(config, serial);
  const liveHub = hub;

  const app = createApp({
    access: config,
    clientDir: findClientDir(),
    api: {
      readOnly: config.readOnly,
      status: () => ({ device: serial.status, clients: liveHub.clientCount, stream: liveHub.streamRange }),
      listPorts,
      write: (bytes) => serial.post({ type: 'write', data: bytes }),
    },
  });
  const server = createServer(app.callback());
  server.on('upgrade', (req, socket, head) => liveHub.handleUpgrade(req, socket, head));

  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    await Promise.all([liveHub.close(), serial.close()]);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}/`;
  const openUrl = config.token ? `${url}?token=${encodeURIComponent(config.token)}` : url;

  let closing: Promise<void> | null = null;
  return {
    url,
    openUrl,
    config: { ...config, port },
    close: () =>
      (closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await liveHub.close();
        await Promise.all([serverClosed, serial.close()]);
      })()),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The built client: dist/client beside dist/server when running the build, or from the repo when running sources. */
function findClientDir(): string | null {
  // From source (server/start.ts), ../client is the unbuilt client: only the build counts.
  const candidates = import.meta.url.endsWith('.ts') ? ['../dist/client/'] : ['../client/'];
  for (const rel of candidates) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return null;
}
