// Collects every run's samples and combines them: the reported value per metric and peer, and
// its ratio to the floor taken run by run (each run's peers measured back to back).
import type { Combine, MetricSpec, Metrics } from './figures/figure.js';
import type { PeerName } from './peers/peer.js';
import { median } from './stats.js';

/** All samples of one invocation, by metric, peer and run index. */
export class Samples {
  private readonly byMetric = new Map<string, Map<PeerName, (number | null)[]>>();

  /** Records run `run`'s metrics for `peer`. */
  add(peer: PeerName, run: number, metrics: Metrics): void {
    for (const [id, value] of Object.entries(metrics)) {
      let byPeer = this.byMetric.get(id);
      if (!byPeer) this.byMetric.set(id, (byPeer = new Map()));
      let runs = byPeer.get(peer);
      if (!runs) byPeer.set(peer, (runs = []));
      runs[run] = value !== null && Number.isFinite(value) ? value : null;
    }
  }

  /** The samples of `metric` for `peer`, by run (holes for runs that failed). */
  runs(metric: string, peer: PeerName): (number | null)[] {
    return this.byMetric.get(metric)?.get(peer) ?? [];
  }

  /** The reported value: the runs combined as the metric says; null when there is no sample. */
  value(spec: MetricSpec, peer: PeerName): number | null {
    const values = present(this.runs(spec.id, peer));
    return values.length ? combine(spec.combine, values) : null;
  }

  /** Median over runs of value ÷ the floor's value in the same run; null without a pair or for non-ratio metrics. */
  ratio(spec: MetricSpec, peer: PeerName): number | null {
    return spec.ratio ? this.ratioTo(spec.id, peer, 'floor') : null;
  }

  /** Median over runs of `peer`'s value ÷ `reference`'s value in the same run; null without a pair. */
  ratioTo(metric: string, peer: PeerName, reference: PeerName): number | null {
    const own = this.runs(metric, peer);
    const ref = this.runs(metric, reference);
    const ratios: number[] = [];
    own.forEach((v, run) => {
      const r = ref[run];
      if (v !== null && v !== undefined && r !== null && r !== undefined && r !== 0) ratios.push(v / r);
    });
    return ratios.length ? median(ratios) : null;
  }

  /** Everything, for --json. */
  toJSON(): Record<string, Partial<Record<PeerName, (number | null)[]>>> {
    const out: Record<string, Partial<Record<PeerName, (number | null)[]>>> = {};
    for (const [id, byPeer] of this.byMetric) out[id] = Object.fromEntries(byPeer);
    return out;
  }
}

function present(values: readonly (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number');
}

function combine(how: Combine, values: number[]): number {
  switch (how) {
    case 'median':
      return median(values);
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...values);
  }
}
