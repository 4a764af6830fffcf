// The value types a capture hands out: records read back, and its state.

/** An event recorded in the capture: a JSON object with a string `type` (open, close, baud, ...). */
export interface CaptureEvent {
  type: string;
  [key: string]: unknown;
}

/**
 * One record read back. `offset`: for data, the stream offset of its first byte; for a write or
 * an event, the data end when it happened. `timeMs`: server arrival time, ms since the Unix epoch.
 */
export type CaptureRecord =
  | { kind: 'data'; offset: number; timeMs: number; bytes: Uint8Array }
  | { kind: 'write'; offset: number; timeMs: number; bytes: Uint8Array; source: string }
  | { kind: 'event'; offset: number; timeMs: number; event: CaptureEvent };

/** Capturing, or paused by a disk problem since `sinceMs`; offsets from `sinceOffset` on are not captured until it resumes. */
export type CaptureState =
  | { state: 'capturing' }
  | { state: 'paused'; reason: string; sinceMs: number; sinceOffset: number };
