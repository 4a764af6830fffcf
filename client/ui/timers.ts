// The timer functions the client's logic schedules with, injectable so tests can drive time by hand.

/** An opaque handle returned by `setTimeout`. */
export type TimerHandle = unknown;

/** setTimeout/clearTimeout as an object; `browserTimers()` binds the real ones. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  now(): number;
}

/** The real timers of the page (or of Node, in tests that want real time). */
export function browserTimers(): Timers {
  return {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
    now: () => Date.now(),
  };
}
