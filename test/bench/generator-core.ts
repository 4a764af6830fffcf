// The board's side of the device: writes sequence-numbered lines into the pty, paced or flat out.
// Runs in a worker thread (generator-worker.ts) because it blocks: writeSync into the pty and
// Atomics.wait for pacing give sub-millisecond timing without burning a core on a busy loop.
import { writeSync } from 'node:fs';
import { lineTemplate, writeLine, writePrimeLine } from './line-format.js';

/** How to generate. linesPerSecond 0 means flat out (as fast as the pty accepts). */
export interface GeneratorSettings {
  lineBytes: number;
  linesPerSecond: number;
  durationMs: number;
  /** Flat out only: stop after this many lines even if durationMs has not passed (a fixed amount of data). */
  maxLines?: number;
}

/** What was written, with how much the device was held up by the reader (back-pressure). */
export interface GeneratorResult {
  lines: number;
  /** Priming lines written before the first data line (the stream holds these first). */
  primeLines: number;
  bytes: number;
  /** hrtime (ns) when the first data line was written, and after the last one. */
  startNs: number;
  endNs: number;
  /** Longest single write into the pty: how long the device was blocked by a slow reader. */
  maxBlockMs: number;
  /** Latest a paced line was written behind its schedule. */
  maxLagMs: number;
}

/** Control word shared with the main thread: the phase the generator should be in. */
export const Phase = { prime: 0, go: 1, stop: 2 } as const;

/** Interval between priming lines, in ms: quick to notice a ready path, negligible traffic. */
const PRIME_INTERVAL_MS = 20;
/** Most priming lines before giving up, so a path that never works cannot spin forever (~30 s). */
const MAX_PRIMES = 1500;
/** Bytes per write when flat out: large writes keep per-syscall cost out of the throughput figure. */
const FLAT_OUT_WRITE_BYTES = 64 * 1024;
/** Most lines per write when paced and catching up, so one late wake-up is not one huge burst. */
const MAX_PACED_BATCH_LINES = 256;

/**
 * Writes priming lines until `control` says go, then lines 0, 1, 2… for durationMs (or until
 * stop); returns what it wrote. Throws when the pty fails (it is closed under us on teardown).
 */
export function generate(fd: number, settings: GeneratorSettings, control: Int32Array): GeneratorResult {
  const template = lineTemplate(settings.lineBytes);
  const L = settings.lineBytes;
  const prime = Buffer.alloc(L);
  let primeLines = 0;
  for (; Atomics.load(control, 0) === Phase.prime; primeLines++) {
    if (primeLines >= MAX_PRIMES) throw new Error('generator: nothing confirmed the priming lines; giving up');
    writePrimeLine(prime, 0, template, process.hrtime.bigint());
    writeSync(fd, prime);
    Atomics.wait(control, 0, Phase.prime, PRIME_INTERVAL_MS);
  }
  const paced = settings.linesPerSecond > 0;
  const batchLines = paced ? MAX_PACED_BATCH_LINES : Math.max(1, Math.floor(FLAT_OUT_WRITE_BYTES / L));
  const out = Buffer.alloc(batchLines * L);
  const totalLines = paced ? Math.round((settings.linesPerSecond * settings.durationMs) / 1000) : (settings.maxLines ?? Infinity);
  const intervalNs = paced ? 1e9 / settings.linesPerSecond : 0;
  const start = process.hrtime.bigint();
  const startNs = Number(start);
  const endByNs = startNs + settings.durationMs * 1e6;
  let seq = 0;
  let maxBlockNs = 0;
  let maxLagNs = 0;
  while (seq < totalLines && Atomics.load(control, 0) === Phase.go) {
    const now = process.hrtime.bigint();
    const nowNs = Number(now);
    if (!paced && nowNs >= endByNs) break;
    const due = Math.min(totalLines, paced ? Math.floor((nowNs - startNs) / intervalNs) + 1 : seq + batchLines);
    const n = Math.min(batchLines, due - seq);
    if (n > 0) {
      if (paced) maxLagNs = Math.max(maxLagNs, nowNs - (startNs + seq * intervalNs));
      for (let i = 0; i < n; i++) writeLine(out, i * L, template, seq + i, now);
      writeSync(fd, out, 0, n * L);
      maxBlockNs = Math.max(maxBlockNs, Number(process.hrtime.bigint() - now));
      seq += n;
    }
    if (paced && seq < totalLines) {
      const waitMs = (startNs + seq * intervalNs - Number(process.hrtime.bigint())) / 1e6;
      if (waitMs > 0) Atomics.wait(control, 0, Phase.go, waitMs);
    }
  }
  return {
    lines: seq,
    primeLines,
    bytes: seq * L,
    startNs,
    endNs: Number(process.hrtime.bigint()),
    maxBlockMs: maxBlockNs / 1e6,
    maxLagMs: maxLagNs / 1e6,
  };
}
