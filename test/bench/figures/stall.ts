// One of ten clients stops reading for 10 s while the device sends 500 KiB/s: do the other nine
// stay on time, what does the server's memory do, and what is the stalled one told?
import { setTimeout as delay } from 'node:timers/promises';
import { rssMiB, sampleRss } from '../proc-stats.js';
import { openSession, type RunResult } from '../session.js';
import { percentile } from '../stats.js';
import { metric, type Figure, type Metrics, type RunScale } from './figure.js';
import { integrityErrorBytes, pooledLatenciesMs, slowestMiBps } from './run-results.js';
import type { PeerName } from '../peers/peer.js';

/** Line length and rate: 1 KiB × 500 lines/s = the 500 KiB/s the target names. */
const LINE_BYTES = 1024;
const LINES_PER_SECOND = 500;
const CLIENTS = 10;
/** Timeline of the stalled run, in ms: steady traffic, the stall the target names, recovery. */
const PRE_MS = 2000;
const STALL_MS = 10_000;
const POST_MS = 3000;
/** Length of the run without a stall that the others' figures are compared with, in ms. */
const BASELINE_MS = 5000;
const QUICK = { pre: 200, stall: 500, post: 300, baseline: 500 };
/** RSS sampling interval during the stall, in ms. */
const RSS_SAMPLE_MS = 50;
const MIB = 1024 * 1024;

/** The slow-client figure. */
export const stallFigure: Figure = {
  id: 'stall',
  title: `One of ${CLIENTS} clients stops reading for ${STALL_MS / 1000} s at ${LINES_PER_SECOND} KiB/s`,
  metrics: [
    metric('stall.p99', 'Others p99 latency, one client stalled', 'ms', 2),
    metric('stall.p99base', 'Others p99 latency, no client stalled', 'ms', 2),
    metric('stall.p99ratio', 'Others p99, stalled ÷ not stalled', '×', 2, 'median', false),
    metric('stall.max', 'Others max latency, one client stalled', 'ms', 1),
    metric('stall.mibsRatio', 'Others throughput, stalled ÷ not stalled', '×', 2, 'median', false),
    metric('stall.blocked', 'Longest the device was held up (blocked write)', 'ms', 1),
    metric('stall.errors', 'Others lost + reordered + corrupted bytes', 'B', 0, 'sum', false),
    metric('stall.rssBefore', 'Server RSS before the stall', 'MiB', 1),
    metric('stall.rssDuring', 'Server RSS during the stall (peak)', 'MiB', 1),
    metric('stall.rssAfter', 'Server RSS after the stall', 'MiB', 1),
    metric('stall.rssGrowth', 'Server RSS growth during the stall', 'MiB', 1, 'median', false),
    metric('stall.notices', 'Skipped-bytes notices to the stalled client', 'count', 0, 'median', false),
    metric('stall.skipped', 'Bytes the stalled client was told it missed', 'MiB', 2, 'median', false),
    metric('stall.slowErrors', 'Stalled client: bytes missing without a notice', 'B', 0, 'sum', false),
  ],
  async measure(peer, scale) {
    return runStalled(peer, scale, await runBaseline(peer, scale));
  },
};

interface Baseline {
  p99: number;
  mibs: number;
}

async function runBaseline(peer: PeerName, scale: RunScale): Promise<Baseline> {
  const session = await openSession(peer, { clients: CLIENTS, lineBytes: LINE_BYTES, recordLatency: true });
  try {
    const durationMs = scale.quick ? QUICK.baseline : BASELINE_MS;
    const run = await session.run({ lineBytes: LINE_BYTES, linesPerSecond: LINES_PER_SECOND, durationMs });
    const others = run.received.slice(1);
    return { p99: percentile(pooledLatenciesMs(others), 99), mibs: slowestMiBps(run, others) };
  } finally {
    await session.close();
  }
}

async function runStalled(peer: PeerName, scale: RunScale, baseline: Baseline): Promise<Metrics> {
  const t = scale.quick ? QUICK : { pre: PRE_MS, stall: STALL_MS, post: POST_MS };
  const session = await openSession(peer, { clients: CLIENTS, lineBytes: LINE_BYTES, recordLatency: true });
  try {
    const pid = session.peer.pid;
    const slow = session.clients[0];
    if (!slow) throw new Error('stall: no client');
    const rss = { before: 0, during: 0 };
    const run: RunResult = await session.run(
      { lineBytes: LINE_BYTES, linesPerSecond: LINES_PER_SECOND, durationMs: t.pre + t.stall + t.post },
      {
        // The experiment's timeline, not a synchronisation: traffic flows throughout.
        during: async () => {
          await delay(t.pre);
          rss.before = rssMiB(pid);
          slow.pause();
          const sampler = sampleRss(pid, RSS_SAMPLE_MS);
          await delay(t.stall);
          rss.during = sampler.stop();
          slow.resume();
        },
      },
    );
    const rssAfter = rssMiB(pid);
    const [stalled, ...others] = run.received;
    if (!stalled) throw new Error('stall: no result for the stalled client');
    const latencies = pooledLatenciesMs(others);
    const p99 = percentile(latencies, 99);
    return {
      'stall.p99': p99,
      'stall.p99base': baseline.p99,
      'stall.p99ratio': p99 / baseline.p99,
      'stall.max': percentile(latencies, 100),
      'stall.mibsRatio': slowestMiBps(run, others) / baseline.mibs,
      'stall.blocked': run.sent.maxBlockMs,
      'stall.errors': integrityErrorBytes(others),
      'stall.rssBefore': rss.before,
      'stall.rssDuring': rss.during,
      'stall.rssAfter': rssAfter,
      'stall.rssGrowth': rss.during - rss.before,
      'stall.notices': stalled.skipNotices,
      'stall.skipped': stalled.announcedSkippedBytes / MIB,
      'stall.slowErrors': integrityErrorBytes([stalled]),
    };
  } finally {
    await session.close();
  }
}
