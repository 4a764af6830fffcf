// One of ten clients stops reading for 10 s while the device keeps sending: do the other nine
// stay on time, what does the server's memory do, and what is the stalled one told? At the
// 500 KiB/s the target names, loopback socket buffers can hold the whole stall; at 2 MiB/s they
// cannot, so the server must skip the stalled client ahead and say so (serialdeck's clients are
// `live` here, the mode that skips).
import { setTimeout as delay } from 'node:timers/promises';
import { rssMiB, sampleRss } from '../proc-stats.js';
import { openSession, type RunResult } from '../session.js';
import { percentile } from '../stats.js';
import { metric, type Combine, type Figure, type Metrics, type RunScale } from './figure.js';
import { integrityErrorBytes, pooledLatenciesMs, slowestMiBps } from './run-results.js';
import type { PeerName } from '../peers/peer.js';

/** Line length: 1 KiB, so lines per second = KiB per second. */
const LINE_BYTES = 1024;
const CLIENTS = 10;
/** Timeline of the stalled run, in ms: steady traffic, the stall the target names, recovery. */
const PRE_MS = 2000;
const STALL_MS = 10_000;
const POST_MS = 2000;
/** Length of the run without a stall that the others' figures are compared with, in ms. */
const BASELINE_MS = 3000;
const QUICK = { pre: 200, stall: 500, post: 300, baseline: 500 };
/** RSS sampling interval during the stall, in ms. */
const RSS_SAMPLE_MS = 50;
const MIB = 1024 * 1024;
/** Runs of this figure by default: each takes ~20 s per peer, so 3 rather than 5. */
const LONG_FIGURE_RUNS = 3;
/**
 * serialdeck's clients here are `live`: this figure measures skipping a client that stopped
 * reading (the page's mode). A lossless client would lag instead, fed from disk (throughput-64
 * and catch-up measure that).
 */
const SESSION = { clients: CLIENTS, lineBytes: LINE_BYTES, recordLatency: true, connect: { mode: 'live' } } as const;

/** The slow-client figure with the device sending `kibPerSecond`; `id` names it for --only. */
export function stallFigure(id: string, kibPerSecond: number, peers?: readonly PeerName[]): Figure {
  const rate = kibPerSecond >= 1024 ? `${kibPerSecond / 1024} MiB/s` : `${kibPerSecond} KiB/s`;
  const m = (name: string, label: string, unit: string, digits: number, combine: Combine = 'median', ratio = true) =>
    metric(`${id}.${name}`, label, unit, digits, combine, ratio);
  const figure: Figure = {
    id,
    runs: LONG_FIGURE_RUNS,
    title: `One of ${CLIENTS} clients stops reading for ${STALL_MS / 1000} s at ${rate}`,
    metrics: [
      m('p99', 'Others p99 latency, one client stalled', 'ms', 2),
      m('p99base', 'Others p99 latency, no client stalled', 'ms', 2),
      m('p99ratio', 'Others p99, stalled ÷ not stalled', '×', 2, 'median', false),
      m('max', 'Others max latency, one client stalled', 'ms', 1),
      m('onTime', 'Others lines delivered during the stall ÷ lines sent in it', '×', 2, 'median', false),
      m('mibsRatio', 'Others throughput over the run, stalled ÷ not stalled', '×', 2, 'median', false),
      m('blocked', 'Longest the device was held up (blocked write)', 'ms', 1),
      m('errors', 'Others lost + reordered + corrupted bytes', 'B', 0, 'sum', false),
      m('rssBefore', 'Server RSS before the stall', 'MiB', 1),
      m('rssDuring', 'Server RSS during the stall (peak)', 'MiB', 1),
      m('rssAfter', 'Server RSS after the stall', 'MiB', 1),
      m('rssGrowth', 'Server RSS growth during the stall', 'MiB', 1, 'median', false),
      m('backlog', 'Stalled client behind the others when it resumed', 'MiB', 2),
      m('notices', 'Skipped-bytes notices to the stalled client', 'count', 0, 'median', false),
      m('skipped', 'Bytes the stalled client was told it missed', 'MiB', 2, 'median', false),
      m('slowErrors', 'Stalled client: bytes missing without a notice', 'B', 0, 'sum', false),
    ],
    async measure(peer, scale) {
      const baseline = await runBaseline(peer, scale, kibPerSecond);
      return runStalled(peer, scale, kibPerSecond, baseline, id);
    },
  };
  return peers ? { ...figure, peers } : figure;
}

interface Baseline {
  p99: number;
  mibs: number;
}

async function runBaseline(peer: PeerName, scale: RunScale, linesPerSecond: number): Promise<Baseline> {
  const session = await openSession(peer, SESSION);
  try {
    const durationMs = scale.quick ? QUICK.baseline : BASELINE_MS;
    const run = await session.run({ lineBytes: LINE_BYTES, linesPerSecond, durationMs });
    const others = run.received.slice(1);
    return { p99: percentile(pooledLatenciesMs(others), 99), mibs: slowestMiBps(run, others) };
  } finally {
    await session.close();
  }
}

async function runStalled(
  peer: PeerName,
  scale: RunScale,
  linesPerSecond: number,
  baseline: Baseline,
  id: string,
): Promise<Metrics> {
  const t = scale.quick ? QUICK : { pre: PRE_MS, stall: STALL_MS, post: POST_MS };
  const session = await openSession(peer, SESSION);
  try {
    const pid = session.peer.pid;
    const slow = session.clients[0];
    if (!slow) throw new Error('stall: no client');
    const rss = { before: 0, during: 0 };
    // Others' good lines at the start and end of the stall, its length, and the stalled one's backlog.
    const stall = { othersAtPause: [0], othersAtResume: [0], ms: 0, backlogBytes: 0 };
    const othersLines = () => session.checkers.slice(1).map((c) => c.progress().goodLines);
    const run: RunResult = await session.run(
      { lineBytes: LINE_BYTES, linesPerSecond, durationMs: t.pre + t.stall + t.post },
      {
        // The experiment's timeline, not a synchronisation: traffic flows throughout.
        during: async () => {
          await delay(t.pre);
          rss.before = rssMiB(pid);
          slow.pause();
          const pausedAt = process.hrtime.bigint();
          stall.othersAtPause = othersLines();
          const sampler = sampleRss(pid, RSS_SAMPLE_MS);
          await delay(t.stall);
          rss.during = sampler.stop();
          stall.othersAtResume = othersLines();
          stall.ms = Number(process.hrtime.bigint() - pausedAt) / 1e6;
          const ahead = Math.max(...session.checkers.slice(1).map((c) => c.progress().goodBytes));
          stall.backlogBytes = ahead - (session.checkers[0]?.progress().goodBytes ?? 0);
          slow.resume();
        },
      },
    );
    const rssAfter = rssMiB(pid);
    const [stalled, ...others] = run.received;
    if (!stalled) throw new Error('stall: no result for the stalled client');
    const latencies = pooledLatenciesMs(others);
    const p99 = percentile(latencies, 99);
    const dueInStall = (linesPerSecond * stall.ms) / 1000;
    const deliveredInStall = Math.min(...stall.othersAtResume.map((n, i) => n - (stall.othersAtPause[i] ?? 0)));
    return {
      [`${id}.p99`]: p99,
      [`${id}.p99base`]: baseline.p99,
      [`${id}.p99ratio`]: p99 / baseline.p99,
      [`${id}.max`]: percentile(latencies, 100),
      [`${id}.onTime`]: deliveredInStall / dueInStall,
      [`${id}.mibsRatio`]: slowestMiBps(run, others) / baseline.mibs,
      [`${id}.blocked`]: run.sent.maxBlockMs,
      [`${id}.errors`]: integrityErrorBytes(others),
      [`${id}.rssBefore`]: rss.before,
      [`${id}.rssDuring`]: rss.during,
      [`${id}.rssAfter`]: rssAfter,
      [`${id}.rssGrowth`]: rss.during - rss.before,
      [`${id}.backlog`]: stall.backlogBytes / MIB,
      [`${id}.notices`]: stalled.skipNotices,
      [`${id}.skipped`]: stalled.announcedSkippedBytes / MIB,
      [`${id}.slowErrors`]: integrityErrorBytes([stalled]),
    };
  } finally {
    await session.close();
  }
}
