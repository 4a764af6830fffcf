// The fleet bench's simulator, run as a child process (simulator.ts starts it) so its CPU is its
// own: N simulated ports on nodes of a few ports each, publishing exactly what a node's bridge
// publishes (server/mqtt: retained NodeStatus with its Last Will, retained PortStatus, then live
// OutFrames at QoS 1 with seq, offset and timeMs), and answering fetches from what it published.
//
// One process, one mqtt.js client per simulated node: the broker sees as many connections, wills
// and per-client queues as a real fleet of that size, and one event loop paces every port from one
// clock. Each port's "serial reads" are staggered across the read period, as independent boards are.
// Lines are the bench's fixed-length, sequence-numbered lines stamped with the hrtime of their
// write (line-format.ts), so the receiving side measures latency and loss line by line.
import { createHash, type Hash } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { FetchRequest, NodeStatus, PortStatus } from '../../../server/mqtt/fleet-messages.js';
import { clientIdFor, MQTT_PROTOCOL_VERSION, willStatus } from '../../../server/mqtt/mqtt-options.js';
import { encodeOutFrame, OutKind, type OutKindValue } from '../../../server/mqtt/out-frame.js';
import { parsePortTopic, topicsFor } from '../../../server/mqtt/topics.js';
import { lineTemplate, writeLine } from '../line-format.js';
import { simPortName, type FromSim, type SimPortResult, type SimSettings, type ToSim } from './sim-protocol.js';

/** Pacing tick, in ms: reads due since the last tick go out on it; 1 ms keeps a read's lateness under the timer's own jitter. */
const TICK_MS = 1;
/** Largest replayed frame payload, in bytes: the bridge's live frame limit (port-bridge.ts FRAME_BYTES). */
const REPLAY_FRAME_BYTES = 16 * 1024;

interface SimPort {
  node: string;
  port: string;
  topic: string;
  client: MqttClient;
  /** Every chunk published, by offset: the "capture" a fetch is answered from. */
  chunks: Array<{ offset: number; bytes: Buffer }>;
  end: number;
  lines: number;
  seq: number;
  hash: Hash;
  /** performance.now() of the next read. */
  nextReadMs: number;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as SimSettings;
const topics = topicsFor(settings.root);
const template = lineTemplate(settings.lineBytes);
const linesPerMs = settings.bytesPerSecond / settings.lineBytes / 1000;
let outstanding = 0;
let whenAllAcked: (() => void) | null = null;
let fetches = 0;

function send(message: FromSim): void {
  process.send?.(message);
}

function publish(client: MqttClient, topic: string, payload: Buffer | string, retain = false): void {
  outstanding++;
  client.publish(topic, payload, { qos: 1, retain }, () => {
    if (--outstanding === 0) whenAllAcked?.();
  });
}

function allAcked(): Promise<void> {
  if (outstanding === 0) return Promise.resolve();
  return new Promise((resolve) => (whenAllAcked = resolve));
}

function portStatus(port: SimPort): PortStatus {
  return {
    id: port.port,
    name: port.port.toUpperCase(),
    device: { state: 'open', path: `/dev/sim/${port.node}/${port.port}`, baudRate: 115200, dtr: true, rts: true, charDelayMs: 0, lineDelayMs: 0 },
    capture: { state: 'capturing', start: 0, startTimeMs: null, bytesOnDisk: port.end },
    stream: { id: `sim-${port.node}-${port.port}`, end: port.end },
    nextSeq: port.seq,
  };
}

/** Connects node `node` with `ports`, publishes their statuses then its own (as the bridge does on every connect). */
async function startNode(node: string, portNames: string[], ports: SimPort[]): Promise<void> {
  // The bridge's own protocol, client id and Last Will (server/mqtt/mqtt-options.ts).
  const client = mqtt.connect(settings.url, {
    protocolVersion: MQTT_PROTOCOL_VERSION,
    clientId: clientIdFor(node),
    clean: true,
    reconnectPeriod: 1000,
    will: { topic: topics.nodeStatus(node), payload: Buffer.from(JSON.stringify(willStatus(node))), qos: 1, retain: true },
  });
  client.on('error', (error) => send({ type: 'error', message: `${node}: ${error.message}` }));
  const mine = portNames.map((port): SimPort => ({
    node,
    port,
    topic: topics.output(node, port),
    client,
    chunks: [],
    end: 0,
    lines: 0,
    seq: 0,
    hash: createHash('sha256'),
    nextReadMs: 0,
  }));
  ports.push(...mine);
  client.on('message', (topic, payload) => {
    const parsed = parsePortTopic(settings.root, topic);
    const port = parsed?.leaf === 'fetch' ? mine.find((p) => p.port === parsed.port) : undefined;
    if (port) replay(port, JSON.parse(payload.toString('utf8')) as FetchRequest);
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(`${settings.root}/${node}/+/fetch`, { qos: 1 });
  for (const port of mine) publish(client, topics.portStatus(node, port.port), JSON.stringify(portStatus(port)), true);
  const online: NodeStatus = { online: true, node, ports: portNames, timeMs: Date.now(), version: 'bench-sim' };
  publish(client, topics.nodeStatus(node), JSON.stringify(online), true);
}

/** Answers a fetch as the bridge does: the bytes held in [from, to), then replay-end at `to`. */
function replay(port: SimPort, request: FetchRequest): void {
  fetches++;
  const topic = topics.replay(request.consoleId, port.node, port.port);
  const frame = (kind: OutKindValue, offset: number, data: Uint8Array) => encodeOutFrame({ kind, seq: 0, offset, timeMs: Date.now(), data });
  const to = Math.min(request.to, port.end);
  for (const chunk of port.chunks) {
    const chunkEnd = chunk.offset + chunk.bytes.byteLength;
    if (chunkEnd <= request.from || chunk.offset >= to) continue;
    const from = Math.max(request.from, chunk.offset);
    const bytes = chunk.bytes.subarray(from - chunk.offset, Math.min(to, chunkEnd) - chunk.offset);
    for (let at = 0; at < bytes.byteLength; at += REPLAY_FRAME_BYTES)
      publish(port.client, topic, frame(OutKind.replay, from + at, bytes.subarray(at, at + REPLAY_FRAME_BYTES)));
  }
  publish(port.client, topic, frame(OutKind.replayEnd, request.to, new Uint8Array(0)));
}

/** One serial read of `port`: the lines due since its last read, stamped now, as one live frame. */
function read(port: SimPort, startMs: number, nowMs: number): { frames: number; bytes: number } {
  const due = Math.floor((nowMs - startMs) * linesPerMs) - port.lines;
  if (due <= 0) return { frames: 0, bytes: 0 };
  const bytes = Buffer.allocUnsafe(due * settings.lineBytes);
  const stamp = process.hrtime.bigint();
  for (let i = 0; i < due; i++) writeLine(bytes, i * settings.lineBytes, template, port.lines + i, stamp);
  const offset = port.end;
  port.chunks.push({ offset, bytes });
  port.hash.update(bytes);
  port.lines += due;
  port.end += bytes.byteLength;
  publish(port.client, port.topic, encodeOutFrame({ kind: OutKind.live, seq: port.seq++, offset, timeMs: Date.now(), data: bytes }));
  return { frames: 1, bytes: bytes.byteLength };
}

/** Runs every port for `durationMs`, then waits for the broker to acknowledge everything. */
async function run(ports: SimPort[], durationMs: number): Promise<void> {
  const startMs = performance.now();
  const periodMs = settings.readPeriodMs;
  // Staggered: port i reads at phase i/N of the period, as boards that were never synchronised do.
  ports.forEach((port, i) => (port.nextReadMs = startMs + (periodMs * (i + 1)) / ports.length));
  let frames = 0;
  let bytes = 0;
  let lateReads = 0;
  const stopMs = startMs + durationMs;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const nowMs = performance.now();
      for (const port of ports) {
        if (port.nextReadMs > nowMs) continue;
        if (nowMs - port.nextReadMs > periodMs) lateReads++;
        const sent = read(port, startMs, Math.min(nowMs, stopMs));
        frames += sent.frames;
        bytes += sent.bytes;
        port.nextReadMs += periodMs;
        if (port.nextReadMs < nowMs) port.nextReadMs = nowMs + periodMs; // far behind: skip reads rather than burst
      }
      if (nowMs >= stopMs) return resolve();
      setTimeout(tick, TICK_MS);
    };
    tick();
  });
  const elapsedMs = performance.now() - startMs;
  await allAcked();
  const results: SimPortResult[] = ports.map((p) => ({ node: p.node, port: p.port, end: p.end, lines: p.lines, sha256: p.hash.digest('hex') }));
  send({ type: 'done', result: { ports: results, frames, bytes, fetches, elapsedMs, lateReads } });
}

async function main(): Promise<void> {
  const ports: SimPort[] = [];
  const byNode = new Map<string, string[]>();
  for (let i = 0; i < settings.ports; i++) {
    const { node, port } = simPortName(i, settings.portsPerNode);
    byNode.set(node, [...(byNode.get(node) ?? []), port]);
  }
  await Promise.all([...byNode].map(([node, names]) => startNode(node, names, ports)));
  await allAcked();
  // A fixed order (node, then port), so each port keeps its phase from run to run.
  ports.sort((a, b) => a.node.localeCompare(b.node) || a.port.localeCompare(b.port));
  process.on('message', (message: ToSim) => {
    if (message.type === 'go') run(ports, message.durationMs).catch((error: unknown) => send({ type: 'error', message: String(error) }));
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
});
// The parent's going away ends the run: no simulated node outlives its bench.
process.on('disconnect', () => process.exit(0));
