// Starts the fleet simulator (simulator-main.ts) as a child process and waits until every simulated
// node is connected and its retained statuses are acknowledged.
import { forkChild, type BenchChild } from './child.js';
import type { FromSim, SimSettings, ToSim } from './sim-protocol.js';

/** Longest wait for every node to connect and publish its statuses, in ms: 125 connections take well under a second. */
const SIM_READY_MS = 30_000;

/** A connected simulator, waiting for `go`. */
export type Simulator = BenchChild<ToSim, FromSim>;

/** Forks the simulator on `settings`; resolves once it is ready (stops it again if it is not). */
export async function startSimulator(settings: SimSettings): Promise<Simulator> {
  const child = forkChild<ToSim, FromSim>(new URL('./simulator-main.ts', import.meta.url), settings);
  try {
    await child.next('ready', SIM_READY_MS);
    return child;
  } catch (error) {
    await child.stop();
    throw error;
  }
}
