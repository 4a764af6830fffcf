// Every figure, in report order, and the few the quick (smoke) mode runs.
import { fleetFigure } from '../fleet/fleet-figure.js';
import { browserFigure } from './browser.js';
import { catchUpFigure } from './catch-up.js';
import { downloadFigure } from './download.js';
import type { Figure } from './figure.js';
import { keystrokeFigure } from './keystroke.js';
import { latencyFigure } from './latency.js';
import { linesCostFigure } from './lines-cost.js';
import { pageMemoryFigure } from './page-memory.js';
import { plotFramesFigure } from './plot-frames.js';
import { stallFigure } from './stall.js';
import { startupFigure } from './startup.js';
import { throughputFigure } from './throughput.js';

/**
 * Rate of the capture-cost figure, in 1 KiB lines per second: 4 MiB/s, four times what a
 * full-speed USB serial device can send, so per-byte costs show, yet every client keeps up.
 */
const CAPTURE_COST_LINES_PER_S = 4096;

/** All figures, in the order of the table. */
export const ALL_FIGURES: readonly Figure[] = [
  throughputFigure({ clients: 1 }),
  throughputFigure({ clients: 10, resources: true, peers: ['floor', 'ser2net', 'serialdeck', 'serialdeck-nocapture'] }),
  // The flat-out case the referee ran: short lines, every one to every client (ser2net moves 64 B at a time: not repeated).
  throughputFigure({ clients: 10, lineBytes: 64, id: 'throughput-64', resources: true, peers: ['floor', 'serialdeck'] }),
  latencyFigure(100, { cpuShare: '115200-baud traffic to 10 clients' }),
  latencyFigure(2000),
  // The capture's cost per byte, where every client keeps up with the capture on and off (flat out,
  // lossless clients fall behind and are fed from disk with it, skipped without it: not comparable).
  latencyFigure(CAPTURE_COST_LINES_PER_S, {
    id: 'capture-cost',
    lineBytes: 1024,
    title: `Capture cost: 10 clients at ${CAPTURE_COST_LINES_PER_S / 1024} MiB/s (1024-byte lines, paced)`,
    cpuShare: `${CAPTURE_COST_LINES_PER_S / 1024} MiB/s to 10 clients`,
    cpuPerMiB: true,
    peers: ['floor', 'serialdeck', 'serialdeck-nocapture'],
  }),
  keystrokeFigure,
  stallFigure('stall', 500),
  // ser2net holds the device up for a stalled client at any rate, as at 500 KiB/s: not repeated.
  stallFigure('stall-2mib', 2048, ['floor', 'serialdeck']),
  catchUpFigure,
  downloadFigure,
  startupFigure,
  browserFigure,
  // Issue 11: the data layer on the server, and the plot in the page.
  linesCostFigure,
  plotFramesFigure,
  pageMemoryFigure,
  // Issue 13: N simulated ports through one Mosquitto to one fleet console.
  fleetFigure,
];

/**
 * What --quick runs without --only: the device → clients path (lossless, every line to every
 * client), the client → device path, and the capture read back (a client from offset 0, a
 * download by time), so every peer's code and serialdeck's disk paths are exercised; and the
 * fleet path (two simulated ports through Mosquitto to a fleet console, every byte checked).
 */
export const QUICK_FIGURE_IDS: readonly string[] = ['throughput-64', 'keystroke', 'catch-up', 'download', 'fleet'];
