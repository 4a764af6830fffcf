// Throughput device → N clients, flat out, every line sequence-checked; for 10 clients also the
// server's CPU per MiB relayed and its RSS under load.
import { cpuSeconds, sampleRss, type RssSampler } from '../proc-stats.js';
import { openSession } from '../session.js';
import { metric, type Figure } from './figure.js';
import { integrityErrorBytes, relayedMiB, slowestMiBps } from './run-results.js';

/** Line length when flat out, in bytes: long lines keep the consumers' per-line cost out of the figure. */
const LINE_BYTES = 1024;
/** Generation time per run, in ms: long enough for a steady state, short enough to repeat. */
const DURATION_MS = 3000;
const QUICK_DURATION_MS = 200;
/** RSS sampling interval, in ms: fine enough to catch a peak within a 3 s run. */
const RSS_SAMPLE_MS = 50;

/** The throughput figure for `clients` clients (1 and 10 are reported). */
export function throughputFigure(clients: number): Figure {
  const id = `throughput-${clients}`;
  const who = clients === 1 ? '1 client' : `${clients} clients`;
  const withResources = clients > 1;
  return {
    id,
    title: `Throughput, device → ${who} (flat out, ${LINE_BYTES}-byte lines)`,
    metrics: [
      metric(`${id}.mibs`, `Throughput to ${who}, slowest client`, 'MiB/s', 1),
      metric(`${id}.errors`, `Lost + reordered + corrupted bytes (${who})`, 'B', 0, 'sum', false),
      ...(withResources
        ? [
            metric(`${id}.cpu`, `Server CPU per MiB relayed (${who})`, 'CPU ms/MiB', 1),
            metric(`${id}.rss`, `Server RSS under load (${who})`, 'MiB', 1),
          ]
        : []),
    ],
    async measure(peer, scale) {
      const session = await openSession(peer, { clients, lineBytes: LINE_BYTES, recordLatency: false });
      try {
        const probe: { cpuAtGo: number; rss: RssSampler | null } = { cpuAtGo: 0, rss: null };
        const run = await session.run(
          { lineBytes: LINE_BYTES, linesPerSecond: 0, durationMs: scale.quick ? QUICK_DURATION_MS : DURATION_MS },
          {
            onGo: () => {
              probe.cpuAtGo = cpuSeconds(session.peer.pid);
              probe.rss = sampleRss(session.peer.pid, RSS_SAMPLE_MS);
            },
          },
        );
        const cpu = cpuSeconds(session.peer.pid) - probe.cpuAtGo;
        const rssMax = probe.rss?.stop() ?? Number.NaN;
        return {
          [`${id}.mibs`]: slowestMiBps(run),
          [`${id}.errors`]: integrityErrorBytes(run.received),
          ...(withResources ? { [`${id}.cpu`]: (cpu * 1000) / relayedMiB(run), [`${id}.rss`]: rssMax } : {}),
        };
      } finally {
        await session.close();
      }
    },
  };
}
