// The fleet bench's floor, run as a child process: the least any console must do with the same
// traffic — one plain mqtt.js client on the console's subscription (`<root>/+/+/out`, QoS 1) that
// decodes every frame, checks it starts where the port's last one ended, hashes the bytes, and
// checks the lines (latency from each line's write stamp to the frame's arrival). Nothing is kept,
// served or written to disk: the console's CPU and memory over this are what serving costs.
import { createHash, type Hash } from 'node:crypto';
import mqtt from 'mqtt';
import { decodeOutFrame, OutKind } from '../../../server/mqtt/out-frame.js';
import { parsePortTopic, topicsFor } from '../../../server/mqtt/topics.js';
import { LineChecker } from '../line-checker.js';
import { latencySummary } from '../stats.js';
import { portKey, type FloorPortResult, type FloorSettings, type FromFloor, type ToFloor } from './sim-protocol.js';

interface FloorPort {
  node: string;
  port: string;
  end: number;
  errors: number;
  hash: Hash;
  checker: LineChecker;
}

const { url, root, lineBytes, warmupLines } = JSON.parse(process.argv[2] ?? '{}') as FloorSettings;
const ports = new Map<string, FloorPort>();
const latencies: number[] = [];

function send(message: FromFloor): void {
  process.send?.(message);
}

const client = mqtt.connect(url, { clientId: `bench-floor-${process.pid}`, clean: true });
client.on('error', (error) => send({ type: 'error', message: error.message }));
client.on('message', (topic, payload) => {
  const nowNs = Number(process.hrtime.bigint());
  const parsed = parsePortTopic(root, topic);
  if (!parsed || parsed.leaf !== 'out') return;
  const decoded = decodeOutFrame(payload);
  if (!decoded.ok || decoded.frame.kind !== OutKind.live) return;
  const { frame } = decoded;
  const key = portKey(parsed.node, parsed.port);
  let port = ports.get(key);
  if (!port) {
    port = { node: parsed.node, port: parsed.port, end: 0, errors: 0, hash: createHash('sha256'), checker: new LineChecker(lineBytes, false) };
    ports.set(key, port);
  }
  if (frame.end <= port.end) {
    port.errors += frame.data.byteLength; // a repeat, or out of order
    return;
  }
  // A frame beyond the end: what lies between never came (the broker dropped it). Counted, then followed.
  if (frame.offset > port.end) port.errors += frame.offset - port.end;
  port.end = frame.end;
  port.hash.update(frame.data);
  port.checker.push(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength), nowNs);
  // Latency per line, from its write stamp; the checker (latency off) verifies the lines themselves.
  for (let at = 0; at + lineBytes <= frame.data.byteLength; at += lineBytes) {
    const seq = readSeqHex(frame.data, at);
    if (seq >= warmupLines) latencies.push((nowNs - readStampNs(frame.data, at)) / 1e6);
  }
});

/** The line's sequence number (12 hex digits at its start: line-format.ts). */
function readSeqHex(bytes: Uint8Array, at: number): number {
  return parseInt(Buffer.from(bytes.buffer, bytes.byteOffset + at, 12).toString('latin1'), 16);
}

/** The line's write stamp in ns (16 hex digits at [13, 29): line-format.ts). */
function readStampNs(bytes: Uint8Array, at: number): number {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + at + 13, 16).toString('latin1');
  return parseInt(text.slice(0, 8), 16) * 2 ** 32 + parseInt(text.slice(8), 16);
}

client.once('connect', () => {
  client.subscribe(topicsFor(root).allOutput, { qos: 1 }, (error) => (error ? send({ type: 'error', message: error.message }) : send({ type: 'ready' })));
});

process.on('message', (message: ToFloor) => {
  if (message.type !== 'report') return;
  const deadline = Date.now() + message.deadlineMs;
  const reached = () => Object.entries(message.ends).every(([key, end]) => (ports.get(key)?.end ?? 0) >= end);
  const report = () => {
    if (!reached() && Date.now() < deadline) return void setTimeout(report, 20);
    const result: FloorPortResult[] = [...ports.values()].map((p) => {
      // The checker sees the lines after a gap as lost lines already counted above: only its corruption adds.
      const checked = p.checker.finish(Math.round(p.end / lineBytes));
      return { node: p.node, port: p.port, end: p.end, sha256: p.hash.digest('hex'), errors: p.errors + checked.corruptedBytes };
    });
    const summary = latencySummary(latencies);
    send({ type: 'result', result: { ports: result, p50Ms: summary.p50, p99Ms: summary.p99, samples: latencies.length } });
  };
  report();
});
process.on('disconnect', () => process.exit(0));
