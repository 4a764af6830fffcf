// The targets of issue 5, each checked against serialdeck's figure (and the floor or ser2net where
// the target is relative). One row per metric; a metric without a target has no row here.
import type { Samples } from './aggregate.js';
import type { MetricSpec } from './figures/figure.js';

/** A target: its text for the table, and whether serialdeck's value meets it (null: not measured). */
export interface Target {
  text: string;
  met(samples: Samples, spec: MetricSpec): boolean | null;
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

/** Targets by metric id. */
export const TARGETS: Readonly<Record<string, Target>> = {
  'throughput-1.errors': zero,
  'throughput-10.mibs': { text: '≥ 0.9× floor', met: ratioAtLeast(0.9) },
  'throughput-10.errors': zero,
  'throughput-10.cpu': { text: '≤ 2× floor', met: ratioAtMost(2) },
  'latency-100.errors': zero,
  'latency-100.cpu': { text: '< 3 % of a core', met: below(3) },
  'latency-2000.p99': {
    text: '≤ 2 ms and ≤ ser2net',
    met: (s, spec) => {
      const v = own(s, spec);
      const peer = s.value(spec, 'ser2net');
      return nullable(v, (x) => x <= 2 && (peer === null || x <= peer));
    },
  },
  'latency-2000.errors': zero,
  'keystroke.p99': { text: '≤ 2 ms', met: atMost(2) },
  'keystroke.errors': zero,
  ...stallTargets('stall'),
  ...stallTargets('stall-2mib'),
  'stall-2mib.notices': { text: '≥ 1 (announced)', met: atLeast(1) },
  'startup.rss': { text: '< 80 MiB', met: below(80) },
};

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
