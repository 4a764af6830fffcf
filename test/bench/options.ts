// `npm run bench` flags → typed options. Pure: no I/O, throws BenchUsageError on a bad flag.
import { PEER_NAMES, type PeerName } from './peers/peer.js';

/** Resolved options of one benchmark invocation. */
export interface BenchOptions {
  /** Smoke mode: one short run of a few figures; writes no docs unless --out says so. */
  quick: boolean;
  /** Figure ids to run; null: the default set for the mode. */
  only: string[] | null;
  /** Repetitions per figure and peer, the median reported; null: each figure's default (1 when quick). */
  runs: number | null;
  peers: PeerName[];
  /** Markdown file to write the table into (between its bench markers), or null. */
  out: string | null;
  /** File to write every sample and aggregate to as JSON (the smoke test reads it), or null. */
  json: string | null;
  help: boolean;
}

/** Default Markdown output of a full run, relative to the repository root. */
export const DEFAULT_OUT = 'docs/benchmarks.md';
/** Default repetitions: a median of 5 shrugs off two disturbed runs on a shared, noisy machine. */
export const DEFAULT_RUNS = 5;
/** Most repetitions accepted: a bound on how long one invocation can run. */
const MAX_RUNS = 20;

/** A flag the benchmark does not understand; the message says which and why. */
export class BenchUsageError extends Error {}

/** The usage text printed by --help and after a usage error. */
export const USAGE = `usage: npm run bench -- [options]
  --quick            smoke mode: one short run of a few figures (a second or two); writes no docs
  --only <ids>       comma-separated figures: throughput-1, throughput-10, throughput-64,
                     latency-100, latency-2000, keystroke, stall, stall-2mib, catch-up, download,
                     startup, browser, lines-cost, plot-frames, page-memory, fleet
  --runs <n>         repetitions per figure and peer, median reported (default ${DEFAULT_RUNS}, 3 for
                     the slow-client, catch-up, download, browser and data figures; quick: 1)
  --peers <names>    comma-separated subset of ${PEER_NAMES.join(', ')} (the floor always runs;
                     quick: floor, floor-worker, serialdeck)
  --out <file>       Markdown file for the table (default ${DEFAULT_OUT}; quick: none)
  --no-write         print the table only
  --json <file>      also write every sample as JSON
  --help             this text
`;

/** Parses argv (without node and the script path). */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { quick: false, only: null, runs: null, peers: [...PEER_NAMES], out: DEFAULT_OUT, json: null, help: false };
  let outGiven = false;
  let peersGiven = false;
  let noWrite = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BenchUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        options.quick = true;
        break;
      case '--only':
        options.only = value().split(',').filter(Boolean);
        break;
      case '--runs': {
        const text = value();
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1 || n > MAX_RUNS)
          throw new BenchUsageError(`--runs must be an integer from 1 to ${MAX_RUNS}, got ${text}`);
        options.runs = n;
        break;
      }
      case '--peers': {
        const names = value().split(',').filter(Boolean);
        const unknown = names.filter((n) => !(PEER_NAMES as readonly string[]).includes(n));
        if (unknown.length) throw new BenchUsageError(`unknown peer ${unknown.join(', ')} (peers: ${PEER_NAMES.join(', ')})`);
        options.peers = PEER_NAMES.filter((p) => p === 'floor' || names.includes(p));
        peersGiven = true;
        break;
      }
      case '--out':
        options.out = value();
        outGiven = true;
        break;
      case '--no-write':
        noWrite = true;
        break;
      case '--json':
        options.json = value();
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new BenchUsageError(`unknown option ${flag}`);
    }
  }
  if (options.quick && options.runs === null) options.runs = 1;
  if (noWrite || (options.quick && !outGiven)) options.out = null;
  // ser2net is slow to drain a flat-out burst (seconds) and is not a test dependency: smoke runs skip it.
  if (options.quick && !peersGiven) options.peers = ['floor', 'floor-worker', 'serialdeck'];
  return options;
}
