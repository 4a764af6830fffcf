// Starts the fleet bench's floor (floor-subscriber-main.ts) as a child process and waits until its
// subscription is acknowledged.
import { forkChild, type BenchChild } from './child.js';
import type { FloorSettings, FromFloor, ToFloor } from './sim-protocol.js';

/** Longest wait for the subscriber to connect and subscribe, in ms. */
const FLOOR_READY_MS = 15_000;

/** A subscribed floor. */
export type FloorSubscriber = BenchChild<ToFloor, FromFloor>;

/** Forks the floor subscriber on `settings`; resolves once it is subscribed (stops it again if it is not). */
export async function startFloorSubscriber(settings: FloorSettings): Promise<FloorSubscriber> {
  const child = forkChild<ToFloor, FromFloor>(new URL('./floor-subscriber-main.ts', import.meta.url), settings);
  try {
    await child.next('ready', FLOOR_READY_MS);
    return child;
  } catch (error) {
    await child.stop();
    throw error;
  }
}
