// What a capture store is told: where it lives, its limits, how it logs. Defaults in one place.

/** Options of CaptureStore.open(). Sizes in bytes, durations in milliseconds. */
export interface CaptureOptions {
  /** This port's directory (created with parents if missing). */
  dir: string;
  /** Rotate to a new segment file once the current one is past this size, in bytes (checked before each flush's write). */
  segmentMaxBytes: number;
  /** ... or once the current segment is this old, in ms (by `now()`). */
  segmentMaxAgeMs: number;
  /** Delete the oldest whole segments while the total exceeds this, in bytes (never the newest segment). */
  retainBytes: number;
  /** ... and segments whose newest record is older than this, in ms (by `now()`; never the newest segment). */
  retainAgeMs: number;
  /**
   * Buffered records are handed to the OS at least this often, in ms. A kill -9 loses at most
   * what was appended in the last flushIntervalMs plus one write in flight when it struck (normally
   * a few ms long; a slow disk stretches it, PENDING_LIMIT_BYTES bounds it). What reached the OS survives a
   * process crash; a power cut also loses what the OS had not yet written back.
   */
  flushIntervalMs: number;
  /** One human line per notable thing (recovery truncation, pause, resume, deletion). */
  log(line: string): void;
  /** Clock for retention/rotation decisions and for the store's own events, ms since the epoch; default Date.now. */
  now?(): number;
  /**
   * The stream's offsets are another server's (a fleet console's copy of a node's port): after a crash
   * the store resumes at the end of what it holds, not past its reservation, since an offset can only
   * ever name the node's byte there, and the rest is fetched from the node again. Default false.
   */
  offsetsFromElsewhere?: boolean;
}

/**
 * Defaults chosen for a Raspberry Pi on an SD card (a few GB free, shared by the OS and several
 * ports). Retention is not here: it is a per-port setting, with its defaults in config.ts (docs/config.md).
 */
export const DEFAULT_CAPTURE_LIMITS: Pick<CaptureOptions, 'segmentMaxBytes' | 'segmentMaxAgeMs' | 'flushIntervalMs'> = {
  // 16 MiB: retention frees space in steps of a quarter of the default 64 MiB budget, and a day of 115200 baud
  // flat out (~1 GB) is ~60 files, not thousands; the sidecar of a full segment is ~6 KiB.
  segmentMaxBytes: 16 * 1024 * 1024,
  // 1 hour: a quiet port still closes a segment hourly, so age retention can drop old output at hour granularity.
  segmentMaxAgeMs: 60 * 60 * 1000,
  // 1 s: one write per second per port keeps SD-card write amplification low (small appends
  // rewrite whole flash pages), while a crash loses at most about a second of output.
  flushIntervalMs: 1000,
};
