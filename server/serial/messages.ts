// The message union spoken across the thread boundary, over the worker's MessagePort.
// Bytes cross as their own Uint8Array, listed in the transfer list (never a pooled Buffer:
// transferring a pool slice detaches every other view of the pool).
import type { DataBits, FlowControl, Parity, StopBits } from '../wire/limits.js';
import type { DeviceStatus } from '../wire/protocol.js';

/** A USB device named by identity instead of path: hex strings as the OS's port list gives them (compared case-insensitively). */
export interface UsbMatch {
  vendorId: string;
  productId: string;
  /** Tells apart two boards of the same model; any serial number matches when absent. */
  serialNumber?: string;
}

/** How one port is opened; passed to the worker as workerData and kept for reopening. */
export interface SerialOptions {
  /** Device path, or `demo` for the built-in demo board. With `match`, only a label shown until the device is found (e.g. `usb:2341:0043`). */
  path: string;
  /** When present, every open attempt lists the OS's ports and opens the one with this identity, wherever it enumerated. */
  match?: UsbMatch;
  baudRate: number;
  /** Assert DTR/RTS after open. false keeps an Arduino from resetting on open (where the driver allows it). */
  dtr: boolean;
  rts: boolean;
  /** Write pacing, in ms after each byte and after each line ending (tio's -o / -O). */
  charDelayMs: number;
  lineDelayMs: number;
  /** Character framing; each omitted field is DEFAULT_FRAMING's (8N1, no flow control). */
  dataBits?: DataBits;
  parity?: Parity;
  stopBits?: StopBits;
  flow?: FlowControl;
  /**
   * Start released for flashing until this time (ms since the epoch) instead of opening: a worker
   * restarted during a release must not take the device back from the upload. Absent or past: open.
   */
  releasedUntilMs?: number;
}

/**
 * Main thread → worker. A command carrying `id` gets exactly one `result` with that id, and its
 * failure goes only there (no broadcast `error`); without `id` a failure is a broadcast `error`.
 * Ids must be unique among the commands still awaiting their result.
 */
export type ToWorker =
  | { type: 'open'; id?: number } // (re)open the device now
  | { type: 'close' } // close the device and stop reopening it; the worker then exits
  | { type: 'write'; data: Uint8Array; id?: number }
  /** The main thread has taken `bytes` more data bytes off the port (sent every READ_ACK_BYTES or so). */
  | { type: 'consumed'; bytes: number }
  | { type: 'set-baud'; baudRate: number; id?: number }
  /**
   * Sets DTR/RTS (omitted: unchanged). With pulseMs, a reset instead: both deasserted for pulseMs,
   * then asserted (the edge that resets an Arduino), then back to the configured lines.
   */
  | { type: 'set-signals'; dtr?: boolean; rts?: boolean; pulseMs?: number; id?: number }
  | { type: 'set-pacing'; charDelayMs: number; lineDelayMs: number; id?: number }
  /** Changes the framing (omitted fields unchanged); kept for every reopen. */
  | { type: 'set-framing'; dataBits?: DataBits; parity?: Parity; stopBits?: StopBits; flow?: FlowControl; id?: number }
  /** Holds the line in break for `ms`. */
  | { type: 'send-break'; ms: number; id?: number }
  /** Closes the device for `forMs` (state `released`), then reopens it. */
  | { type: 'release'; forMs: number; id?: number }
  /** Ends a release now (reopens the device); ok and nothing else when not released. */
  | { type: 'reclaim'; id?: number };

/** An error as it crosses the boundary: plain data, flag-style (as serialport does). */
export interface WireError {
  message: string;
  code?: string;
  /** The device went away (unplugged, or the pty closed). */
  disconnected?: boolean;
}

/**
 * The answer to one command that carried an id. For a write, ok comes once every byte reached
 * the device (`written` = its length); a refusal or a drop says how many of its bytes did reach
 * it (`written`; absent only when unknowable: the worker died with the write in flight).
 */
export type CommandResult =
  | { type: 'result'; id: number; ok: true; written?: number }
  | { type: 'result'; id: number; ok: false; error: WireError; written?: number };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'status'; status: DeviceStatus }
  /** Bytes read; `timeMs` is the wall-clock arrival of the batch's first byte (ms since the epoch, sub-ms precision). */
  | { type: 'data'; data: Uint8Array; timeMs: number }
  | { type: 'error'; error: WireError }
  | CommandResult
  | { type: 'closed' }; // reply to `close`: the device is closed and the worker may be terminated
