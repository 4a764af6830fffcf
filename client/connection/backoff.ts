// Reconnect delays: exponential with jitter, so a restarted server is not hit by every tab at once.

/** First retry delay, in ms: quick enough that a server restart feels like a blip. */
export const RECONNECT_BASE_MS = 500;
/** Longest retry delay, in ms: a tab left open all night still notices the server within 10 s. */
export const RECONNECT_MAX_MS = 10_000;
/** Shortest delay after the server said it has too many clients (1013), in ms: a slot rarely frees up sooner. */
export const BUSY_RETRY_MIN_MS = 5_000;
/** Jitter as a fraction of the delay (±): spreads reconnecting tabs apart. */
export const RECONNECT_JITTER_FRACTION = 0.2;

/**
 * Delay before reconnect attempt number `attempt` (0 = first retry), in ms: base·2^attempt capped at the
 * maximum, then ±jitter. `random` is a source in [0, 1) such as Math.random; the result stays within
 * [base·(1−jitter), max].
 */
export function reconnectDelayMs(attempt: number, random: () => number, minMs = 0): number {
  const exponential = RECONNECT_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 30));
  const capped = Math.min(RECONNECT_MAX_MS, Math.max(minMs, exponential));
  const jittered = capped * (1 + RECONNECT_JITTER_FRACTION * (2 * random() - 1));
  return Math.round(Math.min(RECONNECT_MAX_MS, Math.max(minMs, jittered)));
}
