// Throughput device → N clients, flat out, every line sequence-checked; with 10 clients also the
// server's CPU per MiB relayed and its RSS under load. serialdeck's clients are lossless (the
// default): one that falls behind lags, fed from the capture on disk, instead of being skipped;
// the floor slows the device instead. So the slowest client's rate is compared, over the time it
// took to receive everything, and a skipped line counts as not delivered.
import { cpuSeconds, sampleRss, type RssSampler } from '../proc-stats.js';
import { openSession } from '../session.js';
import type { PeerName } from '../peers/peer.js';
import { metric, type Figure } from './figure.js';
import { integrityErrorBytes, relayedMiB, slowestMiBps } from './run-results.js';

/** Line length when flat out, in bytes: long lines keep the consumers' per-line cost out of the figure. */
const LINE_BYTES = 1024;
/** Generation time per run, in ms: long enough for a steady state, short enough to repeat. */
const DURATION_MS = 3000;
const QUICK_DURATION_MS = 200;
/** RSS sampling interval, in ms: fine enough to catch a peak within a 3 s run. */
const RSS_SAMPLE_MS = 50;
/**
 * Longest the clients may take to have everything after the device stops, in ms. A lossless
 * client behind the device is still being fed from disk then; this bounds a run whose clients
 * never catch up (what is missing at the deadline counts as not delivered).
 */
const LOSSLESS_DRAIN_MS = 60_000;
/** The same in quick mode, in ms: a 200-ms burst drains in well under a second; the smoke test must end within its own minute. */
const QUICK_LOSSLESS_DRAIN_MS = 15_000;

/** A throughput figure's shape. */
export interface ThroughputSpec {
  clients: number;
  /** Line length, in bytes (default LINE_BYTES). */
  lineBytes?: number;
  /** Id for --only (default `throughput-<clients>`). */
  id?: string;
  /** Report CPU per MiB and RSS under load. */
  resources?: boolean;
  /** Peers (default: DEFAULT_PEERS). */
  peers?: readonly PeerName[];
}

/** The throughput figure for `spec` (1 and 10 clients with 1 KiB lines, 10 with 64-byte lines are reported). */
export function throughputFigure(spec: ThroughputSpec): Figure {
  const { clients, resources = false } = spec;
  const lineBytes = spec.lineBytes ?? LINE_BYTES;
  const id = spec.id ?? `throughput-${clients}`;
  const who = clients === 1 ? '1 client' : `${clients} clients`;
  const lines = lineBytes === LINE_BYTES ? '' : `, ${lineBytes}-byte lines`;
  const figure: Figure = {
    id,
    title: `Throughput, device → ${who} (flat out, ${lineBytes}-byte lines)`,
    metrics: [
      metric(`${id}.mibs`, `Throughput to ${who}${lines}, slowest client`, 'MiB/s', 1),
      metric(`${id}.errors`, `Lost + reordered + corrupted bytes (${who}${lines})`, 'B', 0, 'sum', false),
      metric(`${id}.skipped`, `Bytes skipped with a notice (${who}${lines})`, 'B', 0, 'sum', false),
      metric(`${id}.lag`, `Slowest client done after the device (${who}${lines})`, 's', 2),
      metric(`${id}.device`, `Device rate: what the server read (${who}${lines})`, 'MiB/s', 1),
      ...(resources
        ? [
            metric(`${id}.cpu`, `Server CPU per MiB relayed (${who}${lines})`, 'CPU ms/MiB', 1),
            metric(`${id}.rss`, `Server RSS under load (${who}${lines})`, 'MiB', 1),
          ]
        : []),
    ],
    async measure(peer, scale) {
      const drainTimeoutMs = scale.quick ? QUICK_LOSSLESS_DRAIN_MS : LOSSLESS_DRAIN_MS;
      const session = await openSession(peer, { clients, lineBytes, recordLatency: false, drainTimeoutMs });
      try {
        const probe: { cpuAtGo: number; rss: RssSampler | null } = { cpuAtGo: 0, rss: null };
        const run = await session.run(
          { lineBytes, linesPerSecond: 0, durationMs: scale.quick ? QUICK_DURATION_MS : DURATION_MS },
          {
            onGo: () => {
              probe.cpuAtGo = cpuSeconds(session.peer.pid);
              probe.rss = sampleRss(session.peer.pid, RSS_SAMPLE_MS);
            },
          },
        );
        // CPU up to the last client's last line: a lossless server is still feeding laggards after the device stops.
        const cpu = cpuSeconds(session.peer.pid) - probe.cpuAtGo;
        const rssMax = probe.rss?.stop() ?? Number.NaN;
        const lastLineNs = Math.max(...run.received.map((c) => c.lastLineNs));
        return {
          [`${id}.mibs`]: slowestMiBps(run),
          [`${id}.errors`]: integrityErrorBytes(run.received),
          [`${id}.skipped`]: run.received.reduce((sum, c) => sum + c.announcedSkippedBytes, 0),
          [`${id}.lag`]: Math.max(0, lastLineNs - run.sent.endNs) / 1e9,
          [`${id}.device`]: relayedMiB(run) / ((run.sent.endNs - run.sent.startNs) / 1e9),
          ...(resources ? { [`${id}.cpu`]: (cpu * 1000) / relayedMiB(run), [`${id}.rss`]: rssMax } : {}),
        };
      } finally {
        await session.close();
      }
    },
  };
  return spec.peers ? { ...figure, peers: spec.peers } : figure;
}
