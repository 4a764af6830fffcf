// The composition root: the port registry (captures, channels, workers), a WebSocket fan-out per
// port behind one gateway, and the Koa app, on one http.Server (an https.Server under TLS, set up in
// tls/). Shared by the CLI and the tests; returns a handle instead of running forever.
import { existsSync } from 'node:fs';
import { createServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AccessPolicy } from './access/access-policy.js';
import { AuditTrail } from './audit/audit-trail.js';
import { AUDIT_DEFAULTS } from './audit/audit-types.js';
import { RecentWrites } from './audit/recent-writes.js';
import { generateToken } from './access/token.js';
import { isLoopbackHost, isResolvedConfig, portIdFrom, resolveConfig, type ConfigInput } from './config.js';
import type { Config } from './config-types.js';
import { createApp } from './http/app.js';
import { guardConnections } from './http/connection-guard.js';
import { PortRegistry } from './ports/registry.js';
import type { ServedPort } from './ports/served-port.js';
import { PortFilterStore } from './ports/port-filters.js';
import { createLogger, stderrSink, type LogLevel, type LogSink, type Logger, type Verbosity } from './log.js';
import { listPorts } from './serial/devices/list-ports.js';
import { PortFanOut } from './ws/fan-out.js';
import type { FleetConsole } from './fleet/fleet-console.js';
import type { NodeBridge } from './mqtt/node-bridge.js';
import { WsGateway } from './ws/gateway.js';
import { startHttpRedirect } from './tls/http-redirect.js';
import { setUpTls, type TlsSetup } from './tls/tls-setup.js';
import { StreamCap } from './http/stream-cap.js';
import { EVENT_STREAMS_PER_CLIENT } from './http/routes/events-route.js';
import type { Principal } from './access/access-policy.js';
import type { PortSummary } from './wire/api.js';
import type { ServerMessage } from './wire/protocol.js';

/** Longest a port-list change waits to be told to the pages, in ms: short beside a person's notice, long enough to fold a burst of additions into one message. */
const PORTS_BROADCAST_MS = 50;

/** A running serialdeck. */
export interface RunningServer {
  /** Base URL, ending in '/'. */
  url: string;
  /** The URL to open first: with `?token=` when a token is required. */
  openUrl: string;
  /** The config in force (with the token and the listening port filled in). */
  config: Config;
  /** The served ports (for tests and diagnostics). */
  registry: PortRegistry;
  /** The fleet console's broker side (config.fleet), or null. */
  fleet: FleetConsole | null;
  /** This node's bridge to an MQTT broker (config.mqtt), or null. */
  mqtt: NodeBridge | null;
  /** The certificate served (url is https), or null for plain HTTP. */
  tls: Pick<TlsSetup, 'fingerprint256' | 'certFile' | 'selfSigned'> | null;
  /** The plain-HTTP listener that redirects to `url` (config.httpRedirectPort), or null. */
  httpRedirectUrl: string | null;
  /** Closes clients (1001), the devices, the captures (cleanly) and the server; safe to call twice. */
  close(): Promise<void>;
}

/** Things start() does not read from the config. */
export interface StartOptions {
  /** Where log lines go (default: stderr, see log.ts); tests collect them. */
  log?(line: string, level: LogLevel): void;
  /** How much to log (default normal). */
  verbosity?: Verbosity;
  /** Where watch mode looks for device links (tests point it at a temporary directory). */
  watchDir?: string;
}

/** Starts serving `input` (a resolved Config, or a ConfigInput resolved here). Off loopback a token is generated when none is given. */
export async function start(input: Config | ConfigInput = {}, options: StartOptions = {}): Promise<RunningServer> {
  const config = isResolvedConfig(input) ? { ...input } : resolveConfig(input);
  if (config.token === null && config.tokens.length === 0 && !isLoopbackHost(config.host)) config.token = generateToken();
  const sink: LogSink = options.log
    ? (level, line) => options.log?.(line, level)
    : stderrSink(process.env, (text) => process.stderr.write(text));
  const logger = createLogger(options.verbosity ?? 'normal', sink);
  const log = (line: string): void => logger.warn(line);

  const tls = await setUpTls(config, logger); // before listening: a bad certificate file fails before anything is served
  // Listen first: a taken TCP port must fail before any device is opened (opening an Arduino resets it).
  const starting: RequestListener = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '1' }).end('serialdeck is starting\n');
  };
  // With a client CA, the handshake itself refuses a client without a certificate it signed.
  const clientAuth = tls?.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {};
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, ...clientAuth }, starting) : createServer(starting);
  guardConnections(server); // header/request timeouts and a cap on connections yet to send a request (slowloris)
  await listen(server, config.listenPort, config.host);
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const urlHost = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  const url = `${tls ? 'https' : 'http'}://${urlHost}:${port}/`;
  let redirect: HttpServer | null = null;
  let registry: PortRegistry;
  try {
    if (tls && config.httpRedirectPort !== undefined) redirect = await startHttpRedirect(config.host, config.httpRedirectPort, port, urlHost);
    registry = await openRegistry(config, log, options);
  } catch (error) {
    await Promise.all([server, redirect].map((s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()))));
    throw error;
  }

  const fanOuts = new Map<string, PortFanOut>();
  // The audit trail (docs/security.md, Audit): every write, control change, attach and refusal; never rejects.
  const audit = await AuditTrail.open({ dataDir: config.dataDir, settings: config.audit ?? AUDIT_DEFAULTS, log });
  const recentWrites = new RecentWrites();
  audit.onWrite((id, note) => {
    recentWrites.add(id, note);
    fanOuts.get(id)?.noteWrite(note);
  });
  const addFanOut = (port: ServedPort): void => {
    fanOuts.set(port.id, new PortFanOut(port, { recentWrites: (from) => recentWrites.since(port.id, from) }));
    port.commands.watch(audit.commandWatcher(port.id, () => port.channel.end));
    logPort(port, logger);
  };
  for (const port of registry.list()) addFanOut(port);
  const access = new AccessPolicy(config, {
    failedLogin: (address, reason, lockedOutMs) => {
      audit.failedLogin(address, reason, lockedOutMs);
      logger.warn(`failed login from ${address}: ${reason}`);
      if (lockedOutMs > 0) logger.warn(`locked out ${address} for ${Math.round(lockedOutMs / 1000)} s after ${config.lockout.attempts} failed logins`);
    },
  });
  const gateway = new WsGateway(
    {
      access,
      allowedOrigins: config.allowedOrigins,
      maxClients: config.maxClients,
      log: logger,
      observer: {
        attached: (id, who, source, role) => audit.attached(id, who, source, { via: 'ws', role }),
        detached: (id, who, source, closeCode) => audit.detached(id, who, source, { via: 'ws', closeCode }),
        refused: (id, who, address, reason) => audit.refused(id, who, `ws@${address}`, { reason }),
      },
      joinMessages: (principal) => [portsFor(summaries(), principal)],
    },
    (id) => (id === null ? fanOuts.get(registry.first()?.id ?? '') : fanOuts.get(id)),
  );
  const summaries = () => registry.list().map((port) => port.summary(fanOuts.get(port.id)?.clientCount ?? 0));
  // Each client hears of the ports it may watch, and no others.
  const portsFor = (all: PortSummary[], principal: Principal): ServerMessage => ({ type: 'ports', ports: all.filter((port) => principal.roleOn(port.id) !== null) });
  // Port-list changes are coalesced: a fleet console joining a broker adds ports by the thousand.
  let portsTimer: NodeJS.Timeout | null = null;
  const broadcastPorts = (): void => {
    portsTimer = null;
    const all = summaries();
    gateway.broadcast((principal) => portsFor(all, principal));
  };
  registry.listen({
    added: addFanOut,
    changed: () => {
      portsTimer ??= setTimeout(broadcastPorts, PORTS_BROADCAST_MS);
    },
  });
  // After the registry's listeners: every node's port it adds gets a fan-out and reaches the pickers.
  const fleetDeps = { registry, portDefaults: config.watchDefaults, dataDir: config.dataDir, log: (line: string) => logger.info(line) };
  const fleet = config.fleet
    ? // Loaded only when used: mqtt.js costs a few MiB of a Pi's memory that a plain console never needs.
      await (await import('./fleet/fleet-console.js')).FleetConsole.start(config.fleet, fleetDeps).catch(async (error: unknown) => {
        await registry.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw error;
      })
    : null;
  // Every local port on the broker too (docs/fleet.md); a TLS file that cannot be read stops the start.
  const bridgeDeps = { registry, dataDir: config.dataDir, access, readOnly: config.readOnly, log: (line: string) => logger.info(line) };
  const mqtt = config.mqtt
    ? await (await import('./mqtt/node-bridge.js')).NodeBridge.start({ ...bridgeDeps, mqtt: config.mqtt }).catch(async (error: unknown) => {
        await fleet?.close();
        await registry.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw error;
      })
    : null;

  const app = createApp({
    access: { access, allowedOrigins: config.allowedOrigins, secure: tls !== null },
    clientDir: findClientDir(),
    log: (line) => logger.error(line),
    api: {
      registry,
      access,
      clients: (id) => fanOuts.get(id)?.clientCount ?? 0,
      listDevices: listPorts,
      filters: new PortFilterStore({ dataDir: config.dataDir, log }),
      audit,
      recentWrites,
      eventStreams: new StreamCap(EVENT_STREAMS_PER_CLIENT * config.maxClients),
    },
  });
  server.removeAllListeners('request');
  server.on('request', app.callback());
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));

  const shutdown = async (): Promise<void> => {
    if (portsTimer) clearTimeout(portsTimer);
    await gateway.close();
    for (const fanOut of fanOuts.values()) fanOut.dispose();
    await mqtt?.close(); // before the ports: it reads their captures, and says offline while it still can
    await fleet?.close();
    await registry.close();
    await audit.close(); // after the ports: the outcomes of their last writes are recorded
  };
  const openUrl = config.token ? `${url}?token=${encodeURIComponent(config.token)}` : url;

  let closing: Promise<void> | null = null;
  return {
    url,
    openUrl,
    config: { ...config, listenPort: port },
    registry,
    fleet,
    mqtt,
    tls: tls && { fingerprint256: tls.fingerprint256, certFile: tls.certFile, selfSigned: tls.selfSigned },
    httpRedirectUrl: redirect && `http://${urlHost}:${(redirect.address() as AddressInfo).port}/`,
    close: () =>
      (closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        redirect?.close();
        redirect?.closeAllConnections();
        await shutdown();
        await serverClosed;
      })()),
  };
}

/** Logs a port's device events: state changes with their reasons (info), device errors (warn), and every command's refusal (debug). */
function logPort(port: ServedPort, logger: Logger): void {
  let last = '';
  port.listen({
    status: (device) => {
      const line = `${device.state} ${device.path} at ${device.baudRate} baud${device.message ? `: ${device.message}` : ''}`;
      if (line === last) return;
      last = line;
      (device.state === 'waiting' || device.state === 'restarting' ? logger.warn : logger.info)(`${port.id}: ${line}`);
    },
    error: (message) => logger.warn(`${port.id}: ${message}`),
    command: ({ type, source, bytes }, result) => {
      const what = type === 'write' ? `write of ${bytes} bytes` : type;
      if (result.ok) return logger.debug(`${port.id}: ${source} ${what}: done${result.written !== undefined ? ` (${result.written} bytes written)` : ''}`);
      // A device that fails a write is worth a line at any level; refusals of the asker's own making only when verbose.
      const log = result.code === 'device' ? logger.warn : logger.debug;
      log(`${port.id}: ${source} ${what}: refused (${result.code}): ${result.message}`);
    },
  });
}

/** Opens every configured port, and with config.watch the USB watch, named by config.ts's id rule. */
function openRegistry(config: Config, log: (line: string) => void, options: StartOptions): Promise<PortRegistry> {
  return PortRegistry.open(
    config,
    { dataDir: config.dataDir, log },
    {
      ...(options.watchDir !== undefined ? { dir: options.watchDir } : {}),
      nameFor: (link) => {
        const id = portIdFrom({ path: link });
        return { id, name: id };
      },
    },
  );
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
