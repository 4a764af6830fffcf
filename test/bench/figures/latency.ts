// Latency device → clients at a paced line rate, and the server's CPU share while relaying it.
import { withDeadline } from '../deadline.js';
import { cpuSeconds } from '../proc-stats.js';
import { openSession } from '../session.js';
import { latencySummary } from '../stats.js';
import { PEER_NAMES } from '../peers/peer.js';
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

/** The latency figure at `linesPerSecond` (100 and 2,000 are reported). */
export function latencyFigure(linesPerSecond: number): Figure {
  const id = `latency-${linesPerSecond}`;
  const rate = linesPerSecond.toLocaleString('en-US');
  const measureCpu = linesPerSecond === 100;
  return {
    id,
    title: `Latency device → ${CLIENTS} clients at ${rate} lines/s (${LINE_BYTES}-byte lines)`,
    peers: PEER_NAMES, // floor-worker too: the thread hop is what limits this figure
    metrics: [
      metric(`${id}.p50`, `Latency p50 at ${rate} lines/s`, 'ms', 2),
      metric(`${id}.p99`, `Latency p99 at ${rate} lines/s`, 'ms', 2),
      metric(`${id}.max`, `Latency max at ${rate} lines/s`, 'ms', 2),
      metric(`${id}.warmup-p99`, `Latency p99 at ${rate} lines/s, warm-up second (no target)`, 'ms', 2),
      metric(`${id}.errors`, `Lost + reordered + corrupted bytes at ${rate} lines/s`, 'B', 0, 'sum', false),
      ...(measureCpu ? [metric(`${id}.cpu`, `Server CPU, 115200-baud traffic to ${CLIENTS} clients`, '% of a core', 2)] : []),
    ],
    async measure(peer, scale) {
      const warmupMs = scale.quick ? 0 : WARMUP_MS;
      const warmupLines = Math.round((linesPerSecond * warmupMs) / 1000);
      const session = await openSession(peer, {
        clients: CLIENTS,
        lineBytes: LINE_BYTES,
        recordLatency: true,
        latencyFromLine: warmupLines,
      });
      try {
        const durationMs = scale.quick
          ? QUICK_DURATION_MS
          : Math.max(MIN_DURATION_MS, (MIN_LINES / linesPerSecond) * 1000);
        const probe = { cpuAtStart: 0, startNs: 0 };
        const run = await session.run(
          { lineBytes: LINE_BYTES, linesPerSecond, durationMs: warmupMs + durationMs },
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
        const cpuShare = (cpuSeconds(session.peer.pid) - probe.cpuAtStart) / ((run.drainedNs - probe.startNs) / 1e9);
        const { p50, p99, max } = latencySummary(pooledLatenciesMs(run.received));
        const warmup = latencySummary(run.received.flatMap((c) => c.warmupLatenciesMs));
        return {
          [`${id}.p50`]: p50,
          [`${id}.p99`]: p99,
          [`${id}.max`]: max,
          [`${id}.warmup-p99`]: warmup.p99,
          [`${id}.errors`]: integrityErrorBytes(run.received),
          ...(measureCpu ? { [`${id}.cpu`]: cpuShare * 100 } : {}),
        };
      } finally {
        await session.close();
      }
    },
  };
}
