// `npm run bench`: runs the selected figures on every available peer, run by run, and prints
// (and writes) the table. Exit status 1 when a run failed or a flag was bad; a missed target is
// a result, not a failure.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { Samples } from './aggregate.js';
import { ALL_FIGURES, QUICK_FIGURE_IDS } from './figures/all-figures.js';
import type { Figure } from './figures/figure.js';
import { BenchUsageError, DEFAULT_RUNS, parseOptions, USAGE, type BenchOptions } from './options.js';
import { DEFAULT_PEERS, type PeerName } from './peers/peer.js';
import { peerUnavailable } from './peers/start-peer.js';
import { renderReport, writeReport } from './report.js';

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  let figures: Figure[];
  try {
    options = parseOptions(argv);
    figures = selectFigures(options);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const unavailable: string[] = [];
  const peers: PeerName[] = options.peers.filter((p) => {
    const why = peerUnavailable(p);
    if (why) unavailable.push(`${p}: ${why}`);
    return why === null;
  });
  const samples = new Samples();
  const errors: string[] = [];
  const runsOf = (figure: Figure): number => options.runs ?? figure.runs ?? DEFAULT_RUNS;
  const loadBefore = loadavg()[0] ?? 0;
  for (const figure of figures) {
    const runs = runsOf(figure);
    const figurePeers = peers.filter((p) => (figure.peers ?? DEFAULT_PEERS).includes(p));
    for (let run = 0; run < runs; run++) {
      // Each run starts with a different peer, so a burst of load elsewhere does not always hit the same one.
      const order = figurePeers.map((_, i) => figurePeers[(i + run) % figurePeers.length] as PeerName);
      for (const peer of order) {
        const what = `${figure.id} · ${peer} · run ${run + 1}/${runs}`;
        const started = Date.now();
        try {
          samples.add(peer, run, await figure.measure(peer, { quick: options.quick }));
          process.stderr.write(`bench: ${what} (${Date.now() - started} ms)\n`);
        } catch (error) {
          errors.push(`${what}: ${(error as Error).message}`);
          process.stderr.write(`bench: ${what} failed: ${(error as Error).message}\n`);
        }
      }
    }
  }
  const report = renderReport({
    header: {
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      machine: machine(),
      load: [loadBefore, loadavg()[0] ?? 0],
      quick: options.quick,
      unavailable,
    },
    figures: figures.map((figure) => ({ figure, runs: runsOf(figure) })),
    peers,
    samples,
    errors,
  });
  process.stdout.write(report);
  if (options.out) writeReport(options.out, report);
  if (options.json) writeFileSync(options.json, JSON.stringify({ samples, errors, unavailable }, null, 2));
  return errors.length ? 1 : 0;
}

function selectFigures(options: BenchOptions): Figure[] {
  const ids = options.only ?? (options.quick ? QUICK_FIGURE_IDS : ALL_FIGURES.map((f) => f.id));
  const unknown = ids.filter((id) => !ALL_FIGURES.some((f) => f.id === id));
  if (unknown.length)
    throw new BenchUsageError(`unknown figure ${unknown.join(', ')} (figures: ${ALL_FIGURES.map((f) => f.id).join(', ')})`);
  return ALL_FIGURES.filter((f) => ids.includes(f.id));
}

function machine(): string {
  const cores = cpus();
  return `${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, Linux ${release()}, Node ${process.versions.node}`;
}

process.exitCode = await main(process.argv.slice(2));
