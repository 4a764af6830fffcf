// Every figure, in report order, and the few the quick (smoke) mode runs.
import { browserFigure } from './browser.js';
import type { Figure } from './figure.js';
import { keystrokeFigure } from './keystroke.js';
import { latencyFigure } from './latency.js';
import { stallFigure } from './stall.js';
import { startupFigure } from './startup.js';
import { throughputFigure } from './throughput.js';

/** All figures, in the order of the table. */
export const ALL_FIGURES: readonly Figure[] = [
  throughputFigure(1),
  throughputFigure(10),
  latencyFigure(100),
  latencyFigure(2000),
  keystrokeFigure,
  stallFigure('stall', 500),
  // ser2net holds the device up for a stalled client at any rate, as at 500 KiB/s: not repeated.
  stallFigure('stall-2mib', 2048, ['floor', 'serialdeck']),
  startupFigure,
  browserFigure,
];

/** What --quick runs without --only: one device → clients and one client → device path, every peer's code exercised. */
export const QUICK_FIGURE_IDS: readonly string[] = ['throughput-10', 'keystroke'];
