// Numbers derived from one run's received streams.
import type { CheckResult } from '../line-checker.js';
import type { RunResult } from '../session.js';

const MIB = 1024 * 1024;

/** Lost + reordered + corrupted bytes over `clients`: must be 0 (announced skips are not counted). */
export function integrityErrorBytes(clients: readonly CheckResult[]): number {
  return clients.reduce((sum, c) => sum + c.lostBytes + c.reorderedBytes + c.corruptedBytes, 0);
}

/** MiB/s of good lines delivered to the slowest of `clients`, from the first line sent to its last line received. */
export function slowestMiBps(run: RunResult, clients: readonly CheckResult[] = run.received): number {
  let slowest = Infinity;
  for (const c of clients) {
    const seconds = (c.lastLineNs - run.sent.startNs) / 1e9;
    slowest = Math.min(slowest, seconds > 0 ? c.goodBytes / MIB / seconds : 0);
  }
  return Number.isFinite(slowest) ? slowest : 0;
}

/** Every latency sample of `clients`, pooled, in ms. */
export function pooledLatenciesMs(clients: readonly CheckResult[]): number[] {
  return clients.flatMap((c) => c.latenciesMs);
}

/** MiB the server relayed from the device in the run (each byte once, whatever the client count). */
export function relayedMiB(run: RunResult): number {
  return run.sent.bytes / MIB;
}
