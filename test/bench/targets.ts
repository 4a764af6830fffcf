// The targets of issues 5, 9 and 11, each checked against serialdeck's figure (and the floor, ser2net or
// serialdeck without its capture where the target is relative). A metric without a target has no
// entry here; one with several lists them all, and the table shows a verdict for each.
import type { Samples } from './aggregate.js';
import type { MetricSpec } from './figures/figure.js';
import { PAGE_HEAP_BUDGET_MIB, PAGE_HEAP_GROWTH_LIMIT } from './figures/page-memory.js';

/**
 * A target: its text for the table, whether serialdeck's value meets it (null: not measured), and
 * optionally the figure it was judged on when the table's cells do not show it (a ratio to a peer other than the floor).
 */
export interface Target {
  text: string;
  met(samples: Samples, spec: MetricSpec): boolean | null;
  detail?(samples: Samples, spec: MetricSpec): string | null;
}

const own = (s: Samples, spec: MetricSpec) => s.value(spec, 'serialdeck');
const atMost = (limit: number) => (s: Samples, spec: MetricSpec) => nullable(own(s, spec), (v) => v <= limit);
const below = (limit: number) => (s: Samples, spec: MetricSpec) => nullable(own(s, spec), (v) => v < limit);
const atLeast = (limit: number) => (s: Samples, spec: MetricSpec) => nullable(own(s, spec), (v) => v >= limit);
const ratioAtMost = (limit: number) => (s: Samples, spec: MetricSpec) =>
  nullable(s.ratio(spec, 'serialdeck'), (r) => r <= limit);
const ratioAtLeast = (limit: number) => (s: Samples, spec: MetricSpec) =>
  nullable(s.ratio(spec, 'serialdeck'), (r) => r >= limit);
const zero: Target = { text: '0', met: atMost(0) };

/** Issue 9: latency both ways no worse than 1.2× the floor of the same run (ser2net's neighbourhood). */
const nearFloor: Target = { text: '≤ 1.2× floor', met: ratioAtMost(1.2) };

/** Issue 9: the capture costs at most 20 % more than running without it (per-run ratio, then the median). */
const captureCost: Target = {
  text: 'capture on ≤ 1.2× off',
  met: (s, spec) => nullable(s.ratioTo(spec.id, 'serialdeck', 'serialdeck-nocapture'), (r) => r <= 1.2),
  detail: (s, spec) => {
    const r = s.ratioTo(spec.id, 'serialdeck', 'serialdeck-nocapture');
    return r === null ? null : `${r.toFixed(2)}×`;
  },
};

/** Targets by metric id: one, or several that must all be met. */
export const TARGETS: Readonly<Record<string, Target | readonly Target[]>> = {
  'throughput-1.errors': zero,
  'throughput-10.mibs': { text: '≥ 0.9× floor', met: ratioAtLeast(0.9) },
  'throughput-10.errors': zero,
  'throughput-10.cpu': { text: '≤ 2× floor', met: ratioAtMost(2) },
  // Issue 9: with lossless clients every line reaches every client (a skip is a line not delivered), at the floor's pace.
  'throughput-64.mibs': { text: '≥ 0.9× floor', met: ratioAtLeast(0.9) },
  'throughput-64.errors': zero,
  'throughput-64.skipped': zero,
  'latency-100.p50': nearFloor,
  'latency-100.p99': nearFloor,
  'latency-100.errors': zero,
  'latency-100.cpu': [{ text: '< 3 % of a core', met: below(3) }, captureCost],
  'latency-2000.p50': nearFloor,
  'latency-2000.p99': [
    nearFloor,
    {
      text: '≤ 2 ms and ≤ ser2net',
      met: (s, spec) => {
        const v = own(s, spec);
        const peer = s.value(spec, 'ser2net');
        return nullable(v, (x) => x <= 2 && (peer === null || x <= peer));
      },
    },
  ],
  'latency-2000.errors': zero,
  'capture-cost.errors': zero,
  'capture-cost.cpuPerMiB': captureCost,
  'keystroke.p50': nearFloor,
  'keystroke.p99': [nearFloor, { text: '≤ 2 ms', met: atMost(2) }],
  'keystroke.errors': zero,
  ...stallTargets('stall'),
  ...stallTargets('stall-2mib'),
  'stall-2mib.notices': { text: '≥ 1 (announced)', met: atLeast(1) },
  'catch-up.errors': zero,
  'catch-up.skipped': zero,
  'download.errors': zero,
  'startup.rss': { text: '< 80 MiB', met: below(80) },
  // Issue 11: an SSE subscriber that was connected before the first line gets that line's record; the plot at ≥ 30 fps with 20 series at 1 kHz; the page's heap bounded and flat with more samples.
  'lines-cost.firstRecord': zero,
  'plot-frames.p95Frames': { text: '≤ 2 frames (33.3 ms, ≥ 30 fps)', met: atMost(2) },
  'page-memory.heap2': { text: `≤ ${PAGE_HEAP_BUDGET_MIB} MiB`, met: atMost(PAGE_HEAP_BUDGET_MIB) },
  'page-memory.growth': { text: `≤ ${PAGE_HEAP_GROWTH_LIMIT}×`, met: atMost(PAGE_HEAP_GROWTH_LIMIT) },
  'page-memory.records': { text: '1.000', met: (s, spec) => nullable(own(s, spec), (v) => v === 1) },
  // Issue 13: through the broker to the fleet console, nothing lost, at every size.
  'fleet.n10.loss': zero,
  'fleet.n100.loss': zero,
  'fleet.n500.loss': zero,
  'fleet.n500w.loss': zero,
};

/** The targets of `metric` as a list (empty when it has none). */
export function targetsOf(metric: string): readonly Target[] {
  const t = TARGETS[metric];
  return t === undefined ? [] : Array.isArray(t) ? t : [t as Target];
}

/** The slow-client targets, the same at every rate: the nine stay on time, memory stays bounded, nothing goes unannounced. */
function stallTargets(id: string): Record<string, Target> {
  return {
    [`${id}.p99ratio`]: { text: '≤ 1.5×', met: atMost(1.5) },
    [`${id}.onTime`]: { text: '≥ 0.95× (on time)', met: atLeast(0.95) },
    [`${id}.errors`]: zero,
    [`${id}.rssGrowth`]: { text: '≤ +32 MiB', met: atMost(32) },
    [`${id}.slowErrors`]: zero,
  };
}

function nullable(value: number | null, test: (v: number) => boolean): boolean | null {
  return value === null ? null : test(value);
}
