// What every fuzzing test shares: how many cases to run (small for `npm test`, FUZZ_RUNS for the full
// run), a garbage collection on demand, and the process's memory as figures to compare between bursts.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Cases per property: FUZZ_RUNS from the environment (the full run is FUZZ_RUNS=100000), else
 * `quick`, sized so each fuzzing test takes a few seconds of `npm test`.
 */
export function fuzzRuns(quick: number, env: Record<string, string | undefined> = process.env): number {
  const text = env.FUZZ_RUNS;
  if (text === undefined || text === '') return quick;
  const runs = Number(text);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a whole number of cases, got ${JSON.stringify(text)}`);
  return runs;
}

/** Seed for fast-check: FUZZ_SEED to replay a failure, else a fresh one (fast-check prints it on failure). */
export function fuzzSeed(env: Record<string, string | undefined> = process.env): number | undefined {
  const text = env.FUZZ_SEED;
  return text ? Number(text) : undefined;
}

/**
 * A full garbage collection, whether or not node was started with --expose-gc: the flag is set at run
 * time and a fresh context hands out the function (V8 creates `gc` per context when the flag is on).
 */
export function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed();
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The process's memory, in MiB. */
export interface MemoryFigures {
  rss: number;
  heapUsed: number;
  /** Memory of C++ objects bound to JS ones, Buffers' and ArrayBuffers' backing stores included. */
  external: number;
  arrayBuffers: number;
}

/** process.memoryUsage() in MiB, after a full collection when `collect` (the default). */
export function memoryFigures(collect = true): MemoryFigures {
  if (collect) collectGarbage();
  const usage = process.memoryUsage();
  const mib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;
  return { rss: mib(usage.rss), heapUsed: mib(usage.heapUsed), external: mib(usage.external), arrayBuffers: mib(usage.arrayBuffers) };
}

/** Resolves after `ms` (only for pacing a load, never to wait for an event). */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` and rejects if it does not settle within `ms`: the fuzzing tests' definition of a hang. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One burst of cases and the memory around it (MiB): after a collection before and after, and the highest RSS seen during it. */
export interface Burst {
  cases: number;
  before: MemoryFigures;
  peakRss: number;
  after: MemoryFigures;
}

/** Runs `burst()` (which runs `cases` cases) `count` times, measuring memory around each. */
export async function measureBursts(count: number, cases: number, burst: (index: number) => Promise<void>): Promise<Burst[]> {
  const bursts: Burst[] = [];
  for (let i = 0; i < count; i++) {
    const before = memoryFigures();
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
    try {
      await burst(i);
    } finally {
      clearInterval(sampler);
    }
    bursts.push({ cases, before, peakRss: Math.round((Math.max(peakRss, process.memoryUsage.rss()) / 1024 ** 2) * 10) / 10, after: memoryFigures() });
  }
  return bursts;
}

/**
 * Growth that would mean a leak, from the second burst to the last (the first warms caches, JIT and
 * the allocator): JS heap plus Buffers over HEAP_GROWTH_MIB, or RSS over RSS_GROWTH_MIB. Loose enough
 * for a shared machine; in a full run (33,334 cases a burst) a leak of ~500 bytes a case fails it (docs/fuzzing.md).
 */
export function memoryGrowth(bursts: readonly Burst[]): { heapMiB: number; rssMiB: number; problem: string | null } {
  const second = bursts[1] ?? bursts[0]!;
  const last = bursts.at(-1)!;
  const heapMiB = last.after.heapUsed + last.after.arrayBuffers - (second.after.heapUsed + second.after.arrayBuffers);
  const rssMiB = last.after.rss - second.after.rss;
  const problem =
    heapMiB > HEAP_GROWTH_MIB
      ? `heap + buffers grew ${heapMiB.toFixed(1)} MiB from burst 2 to burst ${bursts.length}`
      : rssMiB > RSS_GROWTH_MIB
        ? `RSS grew ${rssMiB.toFixed(1)} MiB from burst 2 to burst ${bursts.length}`
        : null;
  return { heapMiB, rssMiB, problem };
}

/** Heap growth allowed between bursts, in MiB: collections leave a few MiB of noise (JIT code, caches, fast-check's own). */
export const HEAP_GROWTH_MIB = 16;
/** RSS growth allowed between bursts, in MiB: malloc arenas and V8's semispaces keep pages after a collection. */
export const RSS_GROWTH_MIB = 48;

/** One line per burst, for the test's output and docs/fuzzing.md. */
export function formatBursts(kind: string, bursts: readonly Burst[]): string {
  return bursts
    .map(
      (b, i) =>
        `${kind} burst ${i + 1}: ${b.cases} cases; RSS ${b.before.rss} -> peak ${b.peakRss} -> ${b.after.rss} MiB; ` +
        `heap ${b.before.heapUsed} -> ${b.after.heapUsed} MiB; external ${b.after.external} MiB; arrayBuffers ${b.after.arrayBuffers} MiB`,
    )
    .join('\n');
}

/** A test's time limit for `runs` cases at about `msPerCase` each on a loaded machine, and never under five minutes. */
export function fuzzTimeoutMs(runs: number, msPerCase: number): number {
  return Math.max(300_000, Math.ceil(runs * msPerCase));
}
