// What a figure is: a measurement run once per peer per repetition, yielding named metrics.
import type { PeerName } from '../peers/peer.js';

/** How a metric's runs combine into the reported value. */
export type Combine = 'median' | 'sum' | 'max';

/** One reported number: its row label, unit, how runs combine, and whether a ratio to the floor means anything. */
export interface MetricSpec {
  id: string;
  label: string;
  unit: string;
  digits: number;
  combine: Combine;
  /** Show value ÷ floor's value (per run, then the median of those ratios). */
  ratio: boolean;
}

/** One run's values by metric id; null where the metric does not apply to the peer. */
export type Metrics = Record<string, number | null>;

/** Scale of a run: full for `npm run bench`, quick for the smoke test. */
export interface RunScale {
  quick: boolean;
}

/** A figure: `measure` runs it once on one peer. */
export interface Figure {
  /** Name for --only. */
  id: string;
  title: string;
  /** Repetitions unless --runs says otherwise (default: DEFAULT_RUNS); long figures run fewer. */
  runs?: number;
  /** Peers it applies to (default: DEFAULT_PEERS). */
  peers?: readonly PeerName[];
  metrics: readonly MetricSpec[];
  measure(peer: PeerName, scale: RunScale): Promise<Metrics>;
}

/** Shorthand for a MetricSpec. */
export function metric(id: string, label: string, unit: string, digits: number, combine: Combine = 'median', ratio = true): MetricSpec {
  return { id, label, unit, digits, combine, ratio };
}
