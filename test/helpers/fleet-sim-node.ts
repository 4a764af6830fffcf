// A simulated serialdeck node for the fleet console's tests: a real MQTT client on a real broker that
// speaks the contract (server/mqtt/*) for ports whose streams live in memory. It publishes retained
// statuses (with the Last Will), live frames (some can be dropped on purpose, to make gaps), answers
// fetches with replay / missing / replay-end frames, and records and answers input requests.
import mqtt, { type MqttClient } from 'mqtt';
import type { FetchRequest, InputRequest, InputResponse, NodeStatus, PortStatus } from '../../server/mqtt/fleet-messages.js';
import { encodeOutFrame, OutKind } from '../../server/mqtt/out-frame.js';
import { parsePortTopic, topicsFor } from '../../server/mqtt/topics.js';

/** One simulated port: its whole stream, and the oldest offset its "capture" still holds. */
export interface SimPort {
  id: string;
  /** The stream's identity in the port status (a node that lost its capture starts a new one). */
  streamId: string;
  stream: Buffer;
  captureStart: number;
  seq: number;
  inputs: InputRequest[];
}

/** A simulated node. */
export interface SimNode {
  name: string;
  ports: Map<string, SimPort>;
  client: MqttClient;
  /** Appends `bytes` to a port's stream and publishes them live (unless `drop`: then only a fetch can bring them). */
  write(port: string, bytes: string | Buffer, options?: { drop?: boolean }): Promise<void>;
  /** Publishes the port's retained status (its stream's end). */
  publishStatus(port: string): Promise<void>;
  /** Vanishes without a goodbye: the broker publishes the Last Will. */
  crash(): void;
  close(): Promise<void>;
}

/** Connects node `name` with ports `portIds` to `url` and publishes its statuses; resolves once they are out. */
export async function startSimNode(url: string, name: string, portIds: string[], root = 'serialdeck'): Promise<SimNode> {
  const topics = topicsFor(root);
  const ports = new Map<string, SimPort>(portIds.map((id) => [id, { id, streamId: `sim-${name}-${id}`, stream: Buffer.alloc(0), captureStart: 0, seq: 0, inputs: [] }]));
  const offline: NodeStatus = { online: false, node: name };
  const client = mqtt.connect(url, {
    clientId: `sim-${name}-${Math.random().toString(16).slice(2)}`,
    clean: true,
    reconnectPeriod: 200,
    will: { topic: topics.nodeStatus(name), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
  });
  const status = (port: SimPort): PortStatus => ({
    id: port.id,
    name: port.id.toUpperCase(),
    device: { state: 'open', path: `/dev/sim-${port.id}`, baudRate: 115200, dtr: null, rts: null, charDelayMs: 0, lineDelayMs: 0 },
    capture: { state: 'capturing', start: port.captureStart, startTimeMs: null, bytesOnDisk: port.stream.byteLength },
    stream: { id: port.streamId, end: port.stream.byteLength },
    nextSeq: port.seq,
  });
  const publishStatus = (id: string) => client.publishAsync(topics.portStatus(name, id), JSON.stringify(status(ports.get(id)!)), { qos: 1, retain: true }).then(() => undefined);
  const announce = async () => {
    for (const id of ports.keys()) await publishStatus(id);
    const online: NodeStatus = { online: true, node: name, ports: [...ports.keys()], timeMs: Date.now() };
    await client.publishAsync(topics.nodeStatus(name), JSON.stringify(online), { qos: 1, retain: true });
  };
  client.on('connect', () => {
    // Like the bridge: subscribe to input and fetch, and republish the state on every (re)connect.
    void client.subscribeAsync([`${root}/${name}/+/in`, `${root}/${name}/+/fetch`], { qos: 1 }).then(announce).catch(() => undefined);
  });
  client.on('message', (topic, payload) => {
    const parsed = parsePortTopic(root, topic);
    const port = parsed && ports.get(parsed.port);
    if (!parsed || !port) return;
    if (parsed.leaf === 'fetch') return void replay(port, JSON.parse(payload.toString()) as FetchRequest);
    if (parsed.leaf === 'in') {
      const request = JSON.parse(payload.toString()) as InputRequest;
      port.inputs.push(request);
      const written = request.base64 !== undefined ? Buffer.from(request.base64, 'base64').byteLength : undefined;
      const response: InputResponse = { transaction: request.transaction, ok: true, ...(written !== undefined ? { written } : {}) };
      void client.publishAsync(topics.inputResponse(name, port.id), JSON.stringify(response), { qos: 1 }).catch(() => undefined);
    }
  });
  const replay = async (port: SimPort, request: FetchRequest) => {
    const topic = topics.replay(request.consoleId, name, port.id);
    const send = (kind: (typeof OutKind)[keyof typeof OutKind], offset: number, data: Uint8Array, end?: number) =>
      client.publishAsync(topic, encodeOutFrame({ kind, seq: 0, offset, timeMs: Date.now(), data, ...(end !== undefined ? { end } : {}) }), { qos: 1 });
    const to = Math.min(request.to, port.stream.byteLength);
    if (request.from < port.captureStart) await send(OutKind.missing, request.from, new Uint8Array(0), Math.min(port.captureStart, to));
    for (let at = Math.max(request.from, port.captureStart); at < to; at += 1000) await send(OutKind.replay, at, port.stream.subarray(at, Math.min(to, at + 1000)));
    await send(OutKind.replayEnd, request.to, new Uint8Array(0));
  };
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await announce();
  return {
    name,
    ports,
    client,
    publishStatus,
    write: async (id, bytes, options = {}) => {
      const port = ports.get(id)!;
      const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      const offset = port.stream.byteLength;
      port.stream = Buffer.concat([port.stream, data]);
      const frame = encodeOutFrame({ kind: OutKind.live, seq: port.seq++, offset, timeMs: Date.now(), data });
      if (!options.drop) await client.publishAsync(topics.output(name, id), frame, { qos: 1 });
    },
    crash: () => {
      client.options.reconnectPeriod = 0;
      client.stream.destroy();
      client.end(true);
    },
    close: () => client.endAsync(true),
  };
}
