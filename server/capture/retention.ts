// Retention policy: which whole segments to delete, oldest first. Pure, so it is tested alone.

import type { SegmentIndex } from './segment-index.js';

/** One segment retention would delete, and why (for the log line). */
export interface Expired {
  segment: SegmentIndex;
  reason: string;
}

/**
 * The oldest segments to delete so the total is at most `retainBytes` and no kept segment's
 * newest record is older than `retainAgeMs` before `nowMs`. The newest segment (the one being
 * written, or the last one sealed) is never chosen.
 */
export function expiredSegments(
  segments: readonly SegmentIndex[],
  limits: { retainBytes: number; retainAgeMs: number },
  nowMs: number,
): Expired[] {
  let total = 0;
  for (const s of segments) total += s.fileBytes;
  const expired: Expired[] = [];
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const ageMs = segment.lastTimeMs === null ? Infinity : nowMs - segment.lastTimeMs;
    let reason: string;
    if (total > limits.retainBytes) reason = `capture holds ${total} bytes, over the ${limits.retainBytes}-byte limit`;
    else if (ageMs > limits.retainAgeMs) reason = `its newest record is older than ${limits.retainAgeMs} ms`;
    else break;
    expired.push({ segment, reason });
    total -= segment.fileBytes;
  }
  return expired;
}
