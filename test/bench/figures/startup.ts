// Start-up time to listening, and resident memory once idle.
import { setTimeout as delay } from 'node:timers/promises';
import { rssMiB } from '../proc-stats.js';
import { startPeer } from '../peers/start-peer.js';
import { createPtyPair } from '../../helpers/pty-pair.js';
import { metric, type Figure } from './figure.js';

/** Wait after listening before reading idle RSS, in ms: lets lazy start-up work and the first GC settle. */
const IDLE_SETTLE_MS = 1000;
const QUICK_IDLE_SETTLE_MS = 100;

/** The start-up and idle-memory figure. */
export const startupFigure: Figure = {
  id: 'startup',
  title: 'Start-up and idle memory (device open, no clients)',
  metrics: [
    metric('startup.ms', 'Start-up time to listening', 'ms', 0),
    metric('startup.rss', 'Server RSS idle', 'MiB', 1),
  ],
  async measure(peer, scale) {
    const pair = await createPtyPair({ openBoard: false });
    try {
      const started = await startPeer(peer, pair.devicePath);
      try {
        // Measured after the settle time, not synchronised by it: traffic is not involved.
        await delay(scale.quick ? QUICK_IDLE_SETTLE_MS : IDLE_SETTLE_MS);
        return { 'startup.ms': started.startupMs, 'startup.rss': rssMiB(started.pid) };
      } finally {
        await started.stop();
      }
    } finally {
      await pair.close();
    }
  },
};
