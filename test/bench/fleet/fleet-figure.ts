// Issue 13's scale bench: N simulated ports at 115200-baud traffic through one real Mosquitto to one
// fleet console (serialdeck --fleet, a child process), for N = 10, 100 and 500. Reported per N: the
// console's CPU and RSS, the broker's CPU, latency from a line's write at the simulated node to a
// WebSocket client of the console (p50/p99), loss (every byte of every port, by offset), the rate
// offered, the gap fetches the console needed, and the simulator's own CPU (it must not be the limit).
// The floor is a plain mqtt.js subscriber on the console's subscription, fed the same traffic by the
// same simulator through a fresh broker: its CPU, memory and latency are what any console must pay.
import { remotePortId } from '../../../server/fleet/remote-id.js';
import { DEFAULT_TOPIC_ROOT } from '../../../server/mqtt/topics.js';
import { startMosquitto, type TestBroker } from '../../helpers/mosquitto.js';
import { connectWs, type WsBenchClient } from '../clients/ws-client.js';
import { pollUntil, waitAtMost, withDeadline } from '../deadline.js';
import { LineChecker } from '../line-checker.js';
import { cpuSeconds, sampleRss } from '../proc-stats.js';
import { percentile } from '../stats.js';
import { metric, type Figure, type Metrics, type MetricSpec } from '../figures/figure.js';
import { closeBroker, findMosquitto, widenClientLimits } from './broker-pid.js';
import { startFleetConsole, type FleetConsoleProcess } from './fleet-console.js';
import { startFloorSubscriber, type FloorSubscriber } from './floor-subscriber.js';
import { portKey, simPortName, type SimResult, type SimSettings } from './sim-protocol.js';
import { startSimulator, type Simulator } from './simulator.js';

/** Port counts of a full run: the three sizes. */
export const FLEET_SIZES = [10, 100, 500] as const;
/**
 * The largest size again with Mosquitto's per-client QoS 1 limits widened: unacknowledged messages
 * toward one client (default 20) and messages queued behind them (default 1,000, past which it
 * drops). It tells whether the limit at 500 ports is the broker's window toward the console's one connection.
 */
const WIDENED = { ports: 500, inflight: 1000, queued: 100_000 } as const;
/** Port count of the quick (smoke) run: two ports on one node, enough to exercise every path. */
const QUICK_PORTS = 2;
/** Ports per simulated node: a Pi with four boards, the unit of docs/fleet.md's sizing. */
const PORTS_PER_NODE = 4;
/** A 115200-baud line flat out: 8N1 is 10 bits a byte, 11,520 bytes a second. */
const BYTES_PER_S = 11_520;
/** Line length, newline included: a sensor line with a few readings; 120 lines a second at that rate. */
const LINE_BYTES = 96;
/**
 * How often a simulated port's serial read returns, in ms: FTDI's default latency timer (16 ms), the
 * commonest USB-serial chip's; the node bridge publishes one live frame per read (port-bridge.ts).
 */
const READ_PERIOD_MS = 16;
/** Traffic before CPU and latency are counted, in ms: the console's ports open, the JIT and heaps settle. */
const WARMUP_MS = 3000;
const QUICK_WARMUP_MS = 300;
/** Traffic over which CPU and latency are counted, in ms: 1,200 lines per port; the 10-ms tick of /proc is 0.1 %. */
const MEASURE_MS = 10_000;
const QUICK_MEASURE_MS = 1000;
/** Ports with a WebSocket client measuring latency: every port up to this many, then this many spread evenly (see below). */
const SAMPLE_CLIENTS = 50;
/** Longest wait for the console to list every port online, in ms: 500 ports each open a capture. */
const DISCOVER_MS = 120_000;
/** Longest wait, after the simulator stops, for the consumer to have every byte, in ms. */
const DRAIN_MS = 60_000;
/** RSS sample period, in ms. */
const RSS_SAMPLE_MS = 200;
/** Poll period of the console's port list while waiting, in ms (another process's state: no event to await). */
const POLL_MS = 100;

/** One row group of the table: its id part, its label, its port count, and whether the broker's limits are widened. */
interface SizeRow {
  row: string;
  label: string;
  ports: number;
  widened: boolean;
}

const FULL_ROWS: readonly SizeRow[] = [
  ...FLEET_SIZES.map((ports, i) => ({ row: `n${ports}`, label: i === 0 ? `${ports} ports (${QUICK_PORTS} with --quick)` : `${ports} ports`, ports, widened: false })),
  {
    row: `n${WIDENED.ports}w`,
    label: `${WIDENED.ports} ports, broker limits widened (${WIDENED.inflight.toLocaleString('en-US')} in flight, ${WIDENED.queued.toLocaleString('en-US')} queued per client)`,
    ports: WIDENED.ports,
    widened: true,
  },
];

/** The metrics of one row group: `fleet.<row>.<name>`. In quick mode the first group's rows carry the two-port run. */
function sizeMetrics({ row, label: n }: SizeRow): MetricSpec[] {
  const id = (name: string) => `fleet.${row}.${name}`;
  return [
    metric(id('cpu'), `${n}: console CPU (floor: a plain mqtt.js subscriber)`, '% of a core', 1),
    metric(id('rss'), `${n}: console RSS, largest sample`, 'MiB', 0),
    metric(id('broker'), `${n}: Mosquitto CPU`, '% of a core', 1),
    metric(id('p50'), `${n}: latency, line written at the node → WebSocket client, p50`, 'ms', 2),
    metric(id('p99'), `${n}: latency, p99`, 'ms', 2),
    metric(id('loss'), `${n}: bytes lost, repeated or out of order (every port, by offset)`, 'B', 0, 'max', false),
    metric(id('rate'), `${n}: live frames offered (one per 16-ms read, ${LINE_BYTES}-byte lines)`, 'frames/s', 0, 'median', false),
    metric(id('offered'), `${n}: bytes offered ÷ N × ${BYTES_PER_S.toLocaleString('en-US')} B/s`, '×', 2, 'median', false),
    metric(id('drops'), `${n}: times Mosquitto began dropping QoS 1 messages to the consumer (its queue for it full)`, 'count', 0, 'max', false),
    metric(id('fetches'), `${n}: gap fetches the console sent`, 'count', 0, 'max', false),
    metric(id('sim'), `${n}: simulator CPU (one process, a client per 4-port node)`, '% of a core', 1, 'median', false),
  ];
}

/** The figure: run once per peer (floor, serialdeck), every size in turn. */
export const fleetFigure: Figure = {
  id: 'fleet',
  runs: 1,
  title: `Fleet: N ports at 115200 baud (${BYTES_PER_S.toLocaleString('en-US')} B/s each) → Mosquitto → one fleet console`,
  peers: ['floor', 'serialdeck'],
  metrics: FULL_ROWS.flatMap(sizeMetrics),
  async measure(peer, scale) {
    const out: Metrics = {};
    const rows = scale.quick ? [{ ...FULL_ROWS[0]!, ports: QUICK_PORTS }] : FULL_ROWS;
    for (const { row, ports, widened } of rows) {
      const result = await measureSize(peer === 'floor' ? 'floor' : 'console', ports, widened, scale.quick);
      for (const [name, value] of Object.entries(result)) out[`fleet.${row}.${name}`] = value;
    }
    return out;
  },
};

/** One size's numbers, by metric name. */
type SizeResult = Record<'cpu' | 'rss' | 'broker' | 'p50' | 'p99' | 'loss' | 'rate' | 'offered' | 'drops' | 'fetches' | 'sim', number | null>;

/** The consumer's part of a run: what it measures and how it is checked afterwards. */
interface Consumer {
  pid: number;
  /** Once every port reached the simulator's ends: bytes lost and the latency samples. */
  check(sim: SimResult): Promise<{ loss: number; detail: string; latenciesMs: number[] | { p50: number; p99: number } }>;
  stop(): Promise<void>;
}

async function measureSize(kind: 'floor' | 'console', ports: number, widened: boolean, quick: boolean): Promise<SizeResult> {
  const warmupMs = quick ? QUICK_WARMUP_MS : WARMUP_MS;
  const measureMs = quick ? QUICK_MEASURE_MS : MEASURE_MS;
  const warmupLines = Math.ceil(((warmupMs / 1000) * BYTES_PER_S) / LINE_BYTES);
  let broker: TestBroker | null = null;
  let consumer: Consumer | null = null;
  let sim: Simulator | null = null;
  try {
    broker = await startMosquitto();
    const brokerPid = widened ? await widenClientLimits(broker, WIDENED.inflight, WIDENED.queued) : findMosquitto(broker.port).pid;
    const settings: SimSettings = { url: broker.url, root: DEFAULT_TOPIC_ROOT, ports, portsPerNode: PORTS_PER_NODE, lineBytes: LINE_BYTES, bytesPerSecond: BYTES_PER_S, readPeriodMs: READ_PERIOD_MS };
    if (kind === 'floor') consumer = await floorConsumer(broker.url, warmupLines);
    else consumer = await consoleConsumer(broker.url, ports, warmupLines);
    sim = await startSimulator(settings);
    if (kind === 'console') await (consumer as ConsoleConsumer).ready();
    const rss = sampleRss(consumer.pid, RSS_SAMPLE_MS);
    sim.send({ type: 'go', durationMs: warmupMs + measureMs });
    await sleep(warmupMs);
    const pids = [consumer.pid, brokerPid, sim.pid];
    const cpu0 = pids.map(cpuSeconds);
    const t0 = performance.now();
    await sleep(measureMs);
    const cpu1 = pids.map(cpuSeconds);
    const elapsedMs = performance.now() - t0;
    const share = (i: number) => (((cpu1[i] as number) - (cpu0[i] as number)) * 1000 * 100) / elapsedMs;
    const done = await sim.next('done', warmupMs + DRAIN_MS);
    const checked = await consumer.check(done.result);
    const rssMiB = rss.stop();
    const latency = Array.isArray(checked.latenciesMs)
      ? { p50: percentile(checked.latenciesMs, 50), p99: percentile(checked.latenciesMs, 99) }
      : checked.latenciesMs;
    const drops = broker.log().split('Outgoing messages are being dropped').length - 1;
    const offered = done.result.bytes / ((done.result.elapsedMs / 1000) * BYTES_PER_S * ports);
    process.stderr.write(
      `bench: fleet ${kind} N=${ports}${widened ? ' (widened broker limits)' : ''}: ${Math.round(done.result.frames / (done.result.elapsedMs / 1000))} frames/s, ` +
        `${done.result.lateReads} late reads, ${drops} broker drop episodes, ${done.result.fetches} fetches, loss ${checked.loss} B (${checked.detail})\n`,
    );
    return {
      cpu: share(0),
      rss: rssMiB,
      broker: share(1),
      p50: latency.p50,
      p99: latency.p99,
      loss: checked.loss,
      rate: (done.result.frames * 1000) / done.result.elapsedMs,
      offered,
      drops,
      fetches: kind === 'console' ? done.result.fetches : null,
      sim: share(2),
    };
  } finally {
    await sim?.stop();
    await consumer?.stop();
    if (broker) await closeBroker(broker);
  }
}

/** The floor: a plain subscriber that checks offsets and hashes as it goes. */
async function floorConsumer(url: string, warmupLines: number): Promise<Consumer> {
  const floor: FloorSubscriber = await startFloorSubscriber({ url, root: DEFAULT_TOPIC_ROOT, lineBytes: LINE_BYTES, warmupLines });
  return {
    pid: floor.pid,
    check: async (sim) => {
      const ends = Object.fromEntries(sim.ports.map((p) => [portKey(p.node, p.port), p.end]));
      floor.send({ type: 'report', ends, deadlineMs: DRAIN_MS });
      const { result } = await floor.next('result', DRAIN_MS + 5000);
      const got = new Map(result.ports.map((p) => [portKey(p.node, p.port), p]));
      let loss = 0;
      for (const p of sim.ports) {
        const seen = got.get(portKey(p.node, p.port));
        if (!seen) loss += p.end;
        else if (seen.sha256 !== p.sha256 || seen.end !== p.end) loss += Math.max(seen.errors + Math.max(0, p.end - seen.end), 1);
      }
      return { loss, detail: `${result.samples} latency samples`, latenciesMs: { p50: result.p50Ms, p99: result.p99Ms } };
    },
    stop: () => floor.stop(),
  };
}

interface ConsoleConsumer extends Consumer {
  /** Resolves once the console lists every simulated port online and the sample's WebSocket clients are connected. */
  ready(): Promise<void>;
}

/**
 * The console with WebSocket clients on a sample of its ports: all of them up to SAMPLE_CLIENTS,
 * else SAMPLE_CLIENTS spread evenly over the nodes. A console has far fewer viewers than ports (one
 * person watches a few boards), and clients in this process on a 2-core machine would otherwise
 * measure themselves; the per-port cost that grows with N — MQTT in, reassembly, channel, capture —
 * is paid for every port. Loss is checked on every port from the console's capture, by offset.
 */
async function consoleConsumer(url: string, ports: number, warmupLines: number): Promise<ConsoleConsumer> {
  const fleet: FleetConsoleProcess = await startFleetConsole(url);
  const ids = Array.from({ length: ports }, (_, i) => {
    const { node, port } = simPortName(i, PORTS_PER_NODE);
    return remotePortId(node, port);
  });
  const sampleCount = Math.min(SAMPLE_CLIENTS, ports);
  const sample = Array.from({ length: sampleCount }, (_, i) => ids[Math.floor((i * ports) / sampleCount)] as string);
  const clients: Array<{ id: string; client: WsBenchClient; checker: LineChecker }> = [];
  const wsOrigin = fleet.origin.replace(/^http/, 'ws');
  return {
    pid: fleet.pid,
    ready: async () => {
      const want = new Set(ids);
      await pollUntil(
        async () => (await fleet.ports()).filter((p) => want.has(p.id) && p.online === true && p.device.state === 'open').length === ports,
        POLL_MS,
        DISCOVER_MS,
        `the console did not list all ${ports} ports online within ${DISCOVER_MS} ms`,
      );
      for (const id of sample) {
        const checker = new LineChecker(LINE_BYTES, true, warmupLines);
        const client = await withDeadline(connectWs(`${wsOrigin}/ws/${encodeURIComponent(id)}`, checker), 10_000, `WebSocket to ${id} not open`);
        if (client.hello.offset !== 0) throw new Error(`${id}: the stream starts at ${client.hello.offset}, not 0`);
        clients.push({ id, client, checker });
      }
    },
    check: async (sim) => {
      const simEnds = new Map(sim.ports.map((p) => [remotePortId(p.node, p.port), p]));
      // Every port's console copy must reach the simulator's end (the assembler fetches what the broker dropped).
      let listed = new Map<string, number>();
      await pollUntil(
        async () => {
          listed = new Map((await fleet.ports()).map((p) => [p.id, p.stream.end]));
          return [...simEnds].every(([id, p]) => (listed.get(id) ?? -1) >= p.end);
        },
        POLL_MS,
        DRAIN_MS,
        'the console did not reach every port’s end',
      ).catch(() => undefined); // what is short is counted as lost below
      let captureLoss = 0;
      let short = 0;
      for (const [id, p] of simEnds) {
        const end = Math.min(listed.get(id) ?? 0, p.end);
        if (end < p.end) short++;
        const { bytes, sha256 } = end > 0 ? await fleet.download(id, end) : { bytes: Buffer.alloc(0), sha256: '' };
        if (sha256 === p.sha256 && bytes.byteLength === p.end) continue;
        const checker = new LineChecker(LINE_BYTES, false);
        checker.push(bytes, 0);
        const r = checker.finish(p.lines);
        captureLoss += Math.max(r.lostBytes + r.corruptedBytes + r.reorderedBytes + r.skippedLines * LINE_BYTES, 1);
      }
      let clientLoss = 0;
      const latencies: number[] = [];
      const linesOf = (id: string) => simEnds.get(id)?.lines ?? 0;
      // One deadline for all: what a client still lacks after it is counted as lost.
      await waitAtMost(Promise.all(clients.map(({ id, checker }) => checker.reached(linesOf(id)))), DRAIN_MS);
      for (const { id, checker } of clients) {
        const r = checker.finish(linesOf(id));
        clientLoss += r.lostBytes + r.corruptedBytes + r.reorderedBytes + r.announcedSkippedBytes;
        for (const ms of r.latenciesMs) latencies.push(ms);
      }
      const detail = `${short} ports short of their end after ${DRAIN_MS} ms, ${captureLoss} B lost in the console's capture, ${clientLoss} B at the ${clients.length} WebSocket clients`;
      return { loss: captureLoss + clientLoss, detail, latenciesMs: latencies };
    },
    stop: async () => {
      for (const { client } of clients) client.close();
      await fleet.stop();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
