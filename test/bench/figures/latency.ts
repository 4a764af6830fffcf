// Latency device → clients at a paced line rate, and the server's CPU while relaying it. The same
// run at 4 MiB/s of 1 KiB lines is the capture-cost figure: every client keeps up there, with the
// capture on or off, so the difference in CPU per MiB is what the capture costs.
import { withDeadline } from '../deadline.js';
import { cpuSeconds } from '../proc-stats.js';
import { openSession } from '../session.js';
import { latencySummary } from '../stats.js';
import { PEER_NAMES, type PeerName } from '../peers/peer.js';
import { metric, type Figure } from './figure.js';
import { integrityErrorBytes, pooledLatenciesMs } from './run-results.js';

/**
 * Line length, in bytes: 100 such lines a second is 11,500 B/s, a 115200-baud 8N1 line
 * (11,520 B/s) running flat out; 2,000 a second (230 KB/s) is native-USB (CDC) traffic.
 */
const LINE_BYTES = 115;
/** Clients per run: a console shared by a team, as in the throughput and slow-client figures. */
const CLIENTS = 10;
/** Generation time per run, in ms: at least 3 s of steady traffic… */
const MIN_DURATION_MS = 3000;
/** …and at least 500 lines (5,000 samples over 10 clients), enough for a stable p99. */
const MIN_LINES = 500;
const QUICK_DURATION_MS = 300;
/**
 * Traffic before the measured part, in ms: a relay's first second (its JIT still compiling, its
 * heap and buffers growing) is start-up, which the start-up figure covers. A console runs for
 * hours, so latency and CPU are its steady state after that, for every peer alike.
 */
const WARMUP_MS = 1000;
/** Longest the last warm-up line may take to arrive after its time, in ms: a live relay needs milliseconds. */
const WARMUP_GRACE_MS = 10_000;
const MIB = 1024 * 1024;

/** What a latency figure measures besides latency. */
export interface LatencyOptions {
  /** Id for --only (default `latency-<linesPerSecond>`). */
  id?: string;
  /** Title of the figure (default: the latency title). */
  title?: string;
  /** Line length, in bytes (default LINE_BYTES). */
  lineBytes?: number;
  /** Report the server's CPU as a share of a core, labelled with this description of the traffic. */
  cpuShare?: string;
  /** Report the server's CPU per MiB relayed. */
  cpuPerMiB?: boolean;
  /** Peers (default: every peer; the thread hop and the capture are what limit this figure). */
  peers?: readonly PeerName[];
}

/** The latency figure at `linesPerSecond` (100 and 2,000 lines/s are reported, and the capture-cost run). */
export function latencyFigure(linesPerSecond: number, options: LatencyOptions = {}): Figure {
  const id = options.id ?? `latency-${linesPerSecond}`;
  const lineBytes = options.lineBytes ?? LINE_BYTES;
  const rate = linesPerSecond.toLocaleString('en-US');
  const { cpuShare, cpuPerMiB = false } = options;
  return {
    id,
    title: options.title ?? `Latency device → ${CLIENTS} clients at ${rate} lines/s (${lineBytes}-byte lines)`,
    peers: options.peers ?? PEER_NAMES,
    metrics: [
      metric(`${id}.p50`, `Latency p50 at ${rate} lines/s`, 'ms', 2),
      metric(`${id}.p99`, `Latency p99 at ${rate} lines/s`, 'ms', 2),
      metric(`${id}.max`, `Latency max at ${rate} lines/s`, 'ms', 2),
      metric(`${id}.warmup-p99`, `Latency p99 at ${rate} lines/s, warm-up second (no target)`, 'ms', 2),
      metric(`${id}.errors`, `Lost + reordered + corrupted bytes at ${rate} lines/s`, 'B', 0, 'sum', false),
      metric(`${id}.skipped`, `Bytes skipped with a notice at ${rate} lines/s`, 'B', 0, 'sum', false),
      ...(cpuShare ? [metric(`${id}.cpu`, `Server CPU, ${cpuShare}`, '% of a core', 2)] : []),
      ...(cpuPerMiB ? [metric(`${id}.cpuPerMiB`, `Server CPU per MiB relayed at ${rate} lines/s`, 'CPU ms/MiB', 1)] : []),
    ],
    async measure(peer, scale) {
      const warmupMs = scale.quick ? 0 : WARMUP_MS;
      const warmupLines = Math.round((linesPerSecond * warmupMs) / 1000);
      const session = await openSession(peer, {
        clients: CLIENTS,
        lineBytes,
        recordLatency: true,
        latencyFromLine: warmupLines,
      });
      try {
        const durationMs = scale.quick
          ? QUICK_DURATION_MS
          : Math.max(MIN_DURATION_MS, (MIN_LINES / linesPerSecond) * 1000);
        const probe = { cpuAtStart: 0, startNs: 0 };
        const run = await session.run(
          { lineBytes, linesPerSecond, durationMs: warmupMs + durationMs },
          {
            // The measured part starts once the first client has the last warm-up line.
            during: async () => {
              const warmedUp = session.checkers[0]?.reached(warmupLines) ?? Promise.resolve();
              await withDeadline(warmedUp, warmupMs + WARMUP_GRACE_MS, 'the warm-up lines never reached the first client');
              probe.cpuAtStart = cpuSeconds(session.peer.pid);
              probe.startNs = Number(process.hrtime.bigint());
            },
          },
        );
        const cpu = cpuSeconds(session.peer.pid) - probe.cpuAtStart;
        const cpuShareOfCore = cpu / ((run.drainedNs - probe.startNs) / 1e9);
        const measuredMiB = ((run.sent.lines - warmupLines) * lineBytes) / MIB;
        const { p50, p99, max } = latencySummary(pooledLatenciesMs(run.received));
        const warmup = latencySummary(run.received.flatMap((c) => c.warmupLatenciesMs));
        return {
          [`${id}.p50`]: p50,
          [`${id}.p99`]: p99,
          [`${id}.max`]: max,
          [`${id}.warmup-p99`]: warmup.p99,
          [`${id}.errors`]: integrityErrorBytes(run.received),
          [`${id}.skipped`]: run.received.reduce((sum, c) => sum + c.announcedSkippedBytes, 0),
          ...(cpuShare ? { [`${id}.cpu`]: cpuShareOfCore * 100 } : {}),
          ...(cpuPerMiB ? { [`${id}.cpuPerMiB`]: (cpu * 1000) / measuredMiB } : {}),
        };
      } finally {
        await session.close();
      }
    },
  };
}
