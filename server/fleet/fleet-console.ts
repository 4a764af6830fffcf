// The fleet console's side of the broker: one MQTT connection that follows every node's status,
// every port's status and output, and this console's replay topic. Each port of each node becomes
// a port of the local registry (id from remote-id.ts), served by a RemoteLink, so the page and the
// API treat it like a local one. A random console id per start keeps replays and transactions apart.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { fleetUrlForLog, type FleetConfig } from '../config-fleet.js';
import type { PortConfig } from '../config-types.js';
import type { FetchRequest, InputResponse, NodeStatus, PortStatus } from '../mqtt/fleet-messages.js';
import { readPem } from '../mqtt/mqtt-options.js';
import { decodeOutFrame } from '../mqtt/out-frame.js';
import { parsePortTopic, topicsFor, type Topics } from '../mqtt/topics.js';
import type { PortRegistry } from '../ports/registry.js';
import { RemoteLink } from './remote-link.js';
import { remotePortId } from './remote-id.js';
import { mappingStoreIn } from './stream-mapping.js';
import type { Schedule } from './stream-assembler.js';

/**
 * Node statuses within this many ms reach the pickers as one port list, in ms: a broker hands a
 * joining console every node's retained status at once, and each list goes to every page.
 */
const ANNOUNCE_COALESCE_MS = 100;
/** Wait between reconnection attempts to the broker, in ms: quick after a broker restart, a few tries a second at most. */
const RECONNECT_PERIOD_MS = 1_000;
/** Longest wait for the broker to answer a connection attempt, in ms, before it counts as failed and is retried. */
const CONNECT_TIMEOUT_MS = 10_000;

/** What a fleet console needs besides its config. */
export interface FleetConsoleDeps {
  registry: PortRegistry;
  /** Serial settings for the remote ports' local side (scrollback, capture retention): the config's port defaults. */
  portDefaults: Omit<PortConfig, 'id' | 'name' | 'path' | 'match'>;
  log(line: string): void;
  /** The captures' directory (config.dataDir): each remote port keeps which node stream it follows beside its capture; null: in memory. */
  dataDir: string | null;
}

interface RemoteEntry {
  link: RemoteLink;
  /** The local port id, or null when it could not be served (the id was taken). */
  id: string | null;
}

/** A running fleet console. */
export class FleetConsole {
  /** This start's name at the broker: replays to it go to `<root>/$replay/<consoleId>/…`. */
  readonly consoleId = randomUUID().replaceAll('-', '').slice(0, 16);
  private readonly topics: Topics;
  private readonly client: MqttClient;
  private readonly remotes = new Map<string, RemoteEntry>();
  private readonly nodes = new Map<string, NodeStatus>();
  private readonly connectedListeners = new Set<() => void>();
  private closing: Promise<void> | undefined;
  private announceTimer: ReturnType<typeof setTimeout> | null = null;

  private subscribed = false;

  private constructor(
    private readonly config: FleetConfig,
    private readonly deps: FleetConsoleDeps,
    tls: Pick<IClientOptions, 'ca' | 'cert' | 'key'>,
  ) {
    this.topics = topicsFor(config.root);
    this.client = mqtt.connect(config.url, { ...this.clientOptions(), ...tls });
    this.client.on('connect', () => this.onConnect());
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.client.on('close', () => this.onDisconnect());
    this.client.on('error', (error) => deps.log(`fleet: ${fleetUrlForLog(config)}: ${error.message}`));
  }

  /**
   * Reads the TLS files (one that cannot be read rejects with a ConfigError naming its field), then
   * connects to the broker in the background: a broker that is down is retried, and nothing waits for it.
   */
  static async start(config: FleetConfig, deps: FleetConsoleDeps): Promise<FleetConsole> {
    const tls: Pick<IClientOptions, 'ca' | 'cert' | 'key'> = {};
    if (config.ca !== null) tls.ca = await readPem('fleet.ca', config.ca);
    if (config.cert !== null) tls.cert = await readPem('fleet.cert', config.cert);
    if (config.key !== null) tls.key = await readPem('fleet.key', config.key);
    return new FleetConsole(config, deps, tls);
  }

  /** Whether the connection to the broker is up. */
  get connected(): boolean {
    return this.client.connected;
  }

  /** Resolves once connected and subscribed (at once if already): for tests and diagnostics. */
  whenConnected(): Promise<void> {
    if (this.client.connected && this.subscribed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.connectedListeners.delete(done);
        resolve();
      };
      this.connectedListeners.add(done);
    });
  }

  /** Resolves with the next error of the broker connection (refused login, TLS, unreachable): for tests and diagnostics. */
  nextError(): Promise<Error> {
    return new Promise((resolve) => this.client.once('error', resolve));
  }

  /** Local port id of a node's port, once the console serves it. */
  portIdOf(node: string, port: string): string | null {
    return this.remotes.get(key(node, port))?.id ?? null;
  }

  /** Disconnects from the broker (the ports themselves close with the registry); safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.announceTimer !== null) clearTimeout(this.announceTimer);
      await this.client.endAsync(true);
      for (const { link } of this.remotes.values()) link.nodeState(false);
    })();
    return this.closing;
  }

  /** Tells the registry (so every page's picker) of online changes, at most once per ANNOUNCE_COALESCE_MS. */
  private announceSoon(): void {
    if (this.announceTimer !== null) return;
    this.announceTimer = setTimeout(() => {
      this.announceTimer = null;
      this.deps.registry.announce();
    }, ANNOUNCE_COALESCE_MS);
    this.announceTimer.unref();
  }

  private clientOptions(): IClientOptions {
    const { config } = this;
    return {
      clientId: `serialdeck-console-${this.consoleId}`,
      clean: true, // what the console misses while away is fetched from the nodes' captures, not queued at the broker
      keepalive: config.keepaliveSeconds,
      reconnectPeriod: RECONNECT_PERIOD_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      rejectUnauthorized: config.rejectUnauthorized,
      ...(config.username !== null ? { username: config.username } : {}),
      ...(config.password !== null ? { password: config.password } : {}),
    };
  }

  private onConnect(): void {
    this.deps.log(`fleet: connected to ${fleetUrlForLog(this.config)} as console ${this.consoleId}`);
    const { topics } = this;
    // The replay topic first: a fetch answered before the status subscriptions settle must not be lost.
    const subscriptions = [topics.allReplay(this.consoleId), topics.allNodeStatus, topics.allPortStatus, topics.allOutput, allInputResponses(this.config.root)];
    this.client.subscribe(subscriptions, { qos: 1 }, (error) => {
      if (error) return this.deps.log(`fleet: subscribing failed: ${error.message}`);
      this.subscribed = true;
      for (const listener of [...this.connectedListeners]) listener();
    });
  }

  /** The broker is out of reach: every remote port shows offline until the nodes' statuses come again. */
  private onDisconnect(): void {
    if (this.subscribed) this.deps.log(`fleet: lost ${fleetUrlForLog(this.config)}; reconnecting`);
    this.subscribed = false;
    const wasOnline = [...this.remotes.values()].some(({ link }) => link.online);
    this.nodes.clear();
    for (const { link } of this.remotes.values()) link.nodeState(false);
    if (wasOnline) this.announceSoon();
  }

  private onMessage(topic: string, payload: Buffer): void {
    const root = this.config.root;
    const replayPrefix = `${root}/$replay/${this.consoleId}/`;
    if (topic.startsWith(replayPrefix)) {
      const [node, port] = topic.slice(replayPrefix.length).split('/');
      if (node !== undefined && port !== undefined) this.onFrame(node, port, payload);
      return;
    }
    if (!topic.startsWith(`${root}/`)) return;
    const levels = topic.slice(root.length + 1).split('/');
    if (levels.length === 2 && levels[1] === 'status') return this.onNodeStatus(levels[0]!, payload);
    const parsed = parsePortTopic(root, topic);
    if (!parsed) return;
    switch (parsed.leaf) {
      case 'status':
        return this.onPortStatus(parsed.node, parsed.port, payload);
      case 'out':
        return this.onFrame(parsed.node, parsed.port, payload);
      case 'in/response': {
        const response = parseJson<InputResponse>(payload);
        if (response && typeof response.ok === 'boolean') this.remotes.get(key(parsed.node, parsed.port))?.link.response(response);
        return;
      }
    }
  }

  private onNodeStatus(node: string, payload: Buffer): void {
    // An empty retained message clears the status: the node is gone.
    const status = payload.byteLength === 0 ? { online: false, node } : parseJson<NodeStatus>(payload);
    if (!status || typeof status.online !== 'boolean') return this.deps.log(`fleet: ${node}: unreadable node status`);
    const before = this.nodes.get(node);
    this.nodes.set(node, status);
    if (before?.online !== status.online) this.deps.log(`fleet: node ${node} is ${status.online ? 'online' : 'offline'}`);
    for (const { link } of this.remotes.values()) if (link.node === node) link.nodeState(this.bridged(node, link.portId));
    this.announceSoon();
  }

  private onPortStatus(node: string, port: string, payload: Buffer): void {
    if (payload.byteLength === 0) return; // a cleared status: the port stays listed, as a local port that went away does
    const status = parseJson<PortStatus>(payload);
    if (!status || typeof status.stream?.end !== 'number' || typeof status.device?.state !== 'string')
      return this.deps.log(`fleet: ${node}/${port}: unreadable port status`);
    const entry = this.remotes.get(key(node, port)) ?? this.addRemote(node, port, status);
    entry.link.portState(status);
    entry.link.nodeState(this.bridged(node, port));
  }

  private onFrame(node: string, port: string, payload: Buffer): void {
    const entry = this.remotes.get(key(node, port));
    if (!entry) return; // not known yet: its retained status comes first, and what this frame held is fetched then
    const decoded = decodeOutFrame(payload);
    if (!decoded.ok) return this.deps.log(`fleet: ${node}/${port}: dropped a frame: ${decoded.error}`);
    entry.link.frame(decoded.frame);
  }

  /** Whether `node` is online and bridges `port` (a node status without a port list bridges whatever it publishes). */
  private bridged(node: string, port: string): boolean {
    const status = this.nodes.get(node);
    return status?.online === true && (status.ports === undefined || status.ports.includes(port));
  }

  private addRemote(node: string, port: string, status: PortStatus): RemoteEntry {
    const { topics } = this;
    const link = new RemoteLink(
      node,
      port,
      this.consoleId,
      {
        // The console's token makes the node's roles apply to it; `from` names the console's user.
        input: (request) =>
          void this.client
            .publishAsync(topics.input(node, port), JSON.stringify(this.config.token === null ? request : { ...request, token: this.config.token }), { qos: 1 })
            .catch(() => undefined),
        fetch: (from, to) => {
          const request: FetchRequest = { consoleId: this.consoleId, from, to };
          void this.client.publishAsync(topics.fetch(node, port), JSON.stringify(request), { qos: 1 }).catch(() => undefined);
        },
      },
      realSchedule,
      // A console that joins late fetches at most what it keeps, not a node's whole capture.
      this.deps.portDefaults.retention.bytes,
    );
    const id = remotePortId(node, port);
    const entry: RemoteEntry = { link, id: null };
    this.remotes.set(key(node, port), entry);
    const portConfig: PortConfig = { ...this.deps.portDefaults, id, name: status.name || port, path: `${node}/${port}`, match: null };
    this.deps.registry
      .add(portConfig, {
        createHandle: (_options, onMessage) => link.attach(onMessage),
        origin: () => ({ node, online: link.online }),
      })
      .then(async (served) => {
        entry.id = id;
        await link.bind(served.channel, this.deps.dataDir === null ? null : mappingStoreIn(join(this.deps.dataDir, 'ports', id)));
      })
      .catch((error: unknown) => this.deps.log(`fleet: cannot serve ${node}/${port} as ${id}: ${(error as Error).message}`));
    return entry;
  }
}

/** Subscription for every port's command answers (topics.ts has one topic per port; this is its wildcard). */
function allInputResponses(root: string): string {
  return `${root}/+/+/in/response`;
}

function key(node: string, port: string): string {
  return `${node}\u0000${port}`;
}

function parseJson<T>(payload: Buffer): T | null {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as T) : null;
  } catch {
    return null;
  }
}

/** Timers that do not hold the process open (a console closing does not wait for a fetch retry). */
const realSchedule: Schedule = (ms, run) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
};
