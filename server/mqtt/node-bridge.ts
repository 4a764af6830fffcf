// A node's link to an MQTT broker: one mqtt.js client for the whole node, a PortBridge per served
// port (and per port watch mode adds later), the retained NodeStatus with its Last Will, and the
// routing of input and fetch requests to their port. Everything is republished on every
// (re)connect; a normal close publishes `online: false` itself before a clean DISCONNECT.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import type { MqttConfig } from '../config-mqtt.js';
import { redactUrl } from '../config-mqtt.js';
import type { PortRegistry } from '../ports/registry.js';
import type { ServedPort } from '../ports/served-port.js';
import { ACKED_FILE_NAME, AckedOffsetFile } from './acked-offsets.js';
import type { InputPolicy } from './authorize-input.js';
import type { NodeStatus } from './fleet-messages.js';
import { clientOptions } from './mqtt-options.js';
import { PortBridge, type Publisher } from './port-bridge.js';
import { parsePortTopic, topicsFor, type Topics } from './topics.js';

/** Longest a normal close waits for the broker (offline status acknowledged, frames in flight answered), in ms; then the connection is dropped. */
export const CLOSE_TIMEOUT_MS = 3000;
/** QoS 0 messages (records) are dropped while the connection holds this much unsent, in bytes: a slow link keeps the output's QoS 1 frames, not readings superseded a moment later. */
export const QOS0_DROP_BUFFERED_BYTES = 256 * 1024;

/** What the node bridge needs from the server. */
export interface NodeBridgeDeps {
  registry: PortRegistry;
  mqtt: MqttConfig;
  /** Where captures live (resume points go beside them); null: none kept. */
  dataDir: string | null;
  /** The server's access policy (input requests are authorized by it) and whether it is read-only. */
  access: InputPolicy['access'];
  readOnly: boolean;
  log(line: string): void;
}

/** The node's bridge; close() it on shutdown. */
export class NodeBridge {
  private readonly bridges = new Map<string, PortBridge>();
  private readonly topics: Topics;
  private readonly version = readVersion();
  private readonly publisher: Publisher;
  private connectedOnce = false;
  private online = false;
  private lastError = '';
  private closing: Promise<void> | null = null;
  private readonly opening = new Set<Promise<unknown>>();
  private unlisten: () => void = () => undefined;

  private constructor(
    private readonly deps: NodeBridgeDeps,
    private readonly client: MqttClient,
  ) {
    this.topics = topicsFor(deps.mqtt.root);
    this.publisher = {
      publish: (topic, payload, options, done) => {
        if (options.qos === 0 && (!client.connected || (client.stream?.writableLength ?? 0) > QOS0_DROP_BUFFERED_BYTES)) return done?.();
        client.publish(topic, payload, options, (error) => done?.(error));
      },
    };
  }

  /** Connects (in the background: the server does not wait for the broker) and bridges every port of `registry`, now and as they are added. */
  static async start(deps: NodeBridgeDeps): Promise<NodeBridge> {
    const options = await clientOptions(deps.mqtt);
    // Connected only once every port is bridged, so the first NodeStatus lists them all.
    const client = connect(deps.mqtt.url, { ...options, manualConnect: true });
    const bridge = new NodeBridge(deps, client);
    bridge.listen();
    for (const port of deps.registry.list()) await bridge.add(port);
    client.connect();
    return bridge;
  }

  /** Whether the broker connection is up. */
  get connected(): boolean {
    return this.online;
  }

  /** Publishes offline status, waits (bounded) for frames in flight, disconnects cleanly and writes every port's resume point; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.unlisten();
      await Promise.allSettled([...this.opening]);
      for (const bridge of this.bridges.values()) bridge.stop();
      let answered = false;
      if (this.client.connected) {
        // Frames in flight are answered first (their acks move the resume points), then the offline status.
        const offline: NodeStatus = { online: false, node: this.deps.mqtt.node, timeMs: Date.now() };
        const sent = Promise.all([...this.bridges.values()].map((bridge) => bridge.allAcked())).then(() =>
          this.publishAsync(this.topics.nodeStatus(this.deps.mqtt.node), JSON.stringify(offline), true),
        );
        answered = await withTimeout(sent, CLOSE_TIMEOUT_MS);
      }
      // A clean DISCONNECT (no Last Will) when the broker answered; otherwise the connection is dropped.
      const ended = await withTimeout(this.client.endAsync(!answered), CLOSE_TIMEOUT_MS);
      if (!ended) this.client.stream?.destroy();
      await Promise.all([...this.bridges.values()].map((bridge) => bridge.close()));
    })();
    return this.closing;
  }

  private listen(): void {
    const { client, deps } = this;
    const where = redactUrl(deps.mqtt.url);
    client.on('connect', () => {
      this.online = true;
      this.lastError = '';
      deps.log(`mqtt: ${this.connectedOnce ? 'reconnected to' : 'connected to'} ${where} as node ${deps.mqtt.node}`);
      this.connectedOnce = true;
      const base = `${deps.mqtt.root}/${deps.mqtt.node}`;
      client.subscribe([`${base}/+/in`, `${base}/+/fetch`], { qos: 1 }, (error) => {
        if (error) deps.log(`mqtt: cannot subscribe to input: ${error.message}`);
      });
      this.publishNodeStatus();
      for (const bridge of this.bridges.values()) bridge.connected();
    });
    client.on('close', () => {
      if (!this.online) return;
      this.online = false;
      if (!this.closing) deps.log(`mqtt: lost the connection to ${where}; reconnecting, output resumes from the last acknowledged offset`);
      for (const bridge of this.bridges.values()) bridge.disconnected();
    });
    client.on('error', (error) => {
      // mqtt.js retries by itself; say each new reason once, not every RECONNECT_PERIOD_MS.
      if (error.message === this.lastError) return;
      this.lastError = error.message;
      deps.log(`mqtt: ${where}: ${error.message}`);
    });
    client.on('message', (topic, payload) => this.route(topic, payload));
    this.unlisten = deps.registry.listen({
      added: (port) => {
        const adding = this.add(port);
        this.opening.add(adding);
        void adding.finally(() => this.opening.delete(adding));
      },
    });
  }

  private async add(port: ServedPort): Promise<void> {
    // A fleet console's remote ports belong to their own node: bridging them would publish them twice.
    if ((port.summary(0) as { node?: string }).node !== undefined || this.bridges.has(port.id)) return;
    const { deps } = this;
    const resume = deps.dataDir
      ? new AckedOffsetFile(join(deps.dataDir, 'ports', port.id, ACKED_FILE_NAME), { streamId: port.channel.streamId, topic: this.topics.output(deps.mqtt.node, port.id) }, (line) => deps.log(`${port.id}: ${line}`))
      : null;
    const input: InputPolicy = { access: deps.access, inputRole: deps.mqtt.inputRole, readOnly: deps.readOnly };
    const bridge = await PortBridge.open(port, { node: deps.mqtt.node, topics: this.topics, publisher: this.publisher, resume, input, log: deps.log });
    if (this.closing) return void (await bridge.close());
    this.bridges.set(port.id, bridge);
    if (!this.online) return;
    this.publishNodeStatus();
    bridge.connected();
  }

  private route(topic: string, payload: Buffer): void {
    const parsed = parsePortTopic(this.deps.mqtt.root, topic);
    if (!parsed || parsed.node !== this.deps.mqtt.node) return;
    const bridge = this.bridges.get(parsed.port);
    if (parsed.leaf === 'in') {
      if (bridge) return void bridge.input(payload);
      // Answer even for a port this node does not serve, so the sender is not left waiting.
      const transaction = readTransaction(payload);
      const response = { ...(transaction === undefined ? {} : { transaction }), ok: false, code: 'bad-request', message: `node ${this.deps.mqtt.node} serves no port ${JSON.stringify(parsed.port)}` };
      return void this.publisher.publish(this.topics.inputResponse(parsed.node, parsed.port), JSON.stringify(response), { qos: 1 });
    }
    if (parsed.leaf === 'fetch') bridge?.fetch(payload);
  }

  private publishNodeStatus(): void {
    const status: NodeStatus = {
      online: true,
      node: this.deps.mqtt.node,
      ports: [...this.bridges.keys()],
      timeMs: Date.now(),
      ...(this.version ? { version: this.version } : {}),
    };
    this.publisher.publish(this.topics.nodeStatus(this.deps.mqtt.node), JSON.stringify(status), { qos: 1, retain: true });
  }

  private publishAsync(topic: string, payload: string, retain: boolean): Promise<void> {
    return new Promise((resolve) => this.publisher.publish(topic, payload, { qos: 1, retain }, () => resolve()));
  }
}

/** The transaction of a payload that may be malformed (for an answer that must carry it), if it has a string one. */
function readTransaction(payload: Buffer): string | undefined {
  try {
    const value = JSON.parse(payload.toString('utf8')) as { transaction?: unknown };
    return typeof value.transaction === 'string' ? value.transaction : undefined;
  } catch {
    return undefined;
  }
}

/** True when `promise` settled within `ms`, false when the time ran out first. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const, () => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** serialdeck's version from package.json (beside dist/ when built, two levels up from server/mqtt/ in the sources); undefined if not found. */
function readVersion(): string | undefined {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'serialdeck' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: try the next
    }
  }
  return undefined;
}
