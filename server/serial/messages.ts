// The message union spoken across the thread boundary, over the worker's MessagePort.
// Bytes cross as their own Uint8Array, listed in the transfer list (never a pooled Buffer:
// transferring a pool slice detaches every other view of the pool).
import type { DeviceStatus } from '../wire/protocol.js';

/** How one port is opened; passed to the worker as workerData and kept for reopening. */
export interface SerialOptions {
  /** Device path, or `demo` for the built-in demo board. */
  path: string;
  baudRate: number;
  /** Assert DTR/RTS after open. false keeps an Arduino from resetting on open (where the driver allows it). */
  dtr: boolean;
  rts: boolean;
  /** Write pacing, in ms after each byte and after each line ending (tio's -o / -O). */
  charDelayMs: number;
  lineDelayMs: number;
}

/** Main thread → worker. */
export type ToWorker =
  | { type: 'open' } // (re)open the device now
  | { type: 'close' } // close the device and stop reopening it; the worker then exits
  | { type: 'write'; data: Uint8Array }
  /** The main thread has taken `bytes` more data bytes off the port (sent every READ_ACK_BYTES or so). */
  | { type: 'consumed'; bytes: number }
  | { type: 'set-baud'; baudRate: number }
  | { type: 'set-signals'; dtr?: boolean; rts?: boolean; pulseMs?: number }
  | { type: 'set-pacing'; charDelayMs: number; lineDelayMs: number };

/** An error as it crosses the boundary: plain data, flag-style (as serialport does). */
export interface WireError {
  message: string;
  code?: string;
  /** The device went away (unplugged, or the pty closed). */
  disconnected?: boolean;
}

/** Worker → main thread. */
export type FromWorker =
  | { type: 'status'; status: DeviceStatus }
  | { type: 'data'; data: Uint8Array }
  | { type: 'error'; error: WireError }
  | { type: 'closed' }; // reply to `close`: the device is closed and the worker may be terminated
