// The seam between the serial session and a device: a small promise-based interface, in the
// spirit of serialport's binding interface, so the session runs against a fake in unit tests,
// against the demo board, or against a real tty (node-port.ts) without knowing which.
import type { Framing } from '../../wire/limits.js';
import type { WireError } from '../messages.js';

/** Modem output lines. true = asserted (on an Arduino, asserting DTR after it was low resets the board). */
export interface PortSignals {
  dtr: boolean;
  rts: boolean;
}

/** What an open port reports. Called on the worker's own event loop, never re-entrantly from a method call's promise. */
export interface PortEvents {
  /** Bytes read from the device. Ownership passes to the receiver: the port must never modify the chunk's memory afterwards. */
  data(chunk: Uint8Array): void;
  /** The device went away or reading failed. Called at most once; the port is then closed and sends nothing more. */
  end(error: WireError): void;
}

/** One open device. After `end` or `close`, every method rejects. */
export interface OpenPort {
  /**
   * True when the device is known to have no modem lines (a pty): the session then never tries
   * DTR/RTS or a break on it. Absent or false: unknown until tried.
   */
  readonly noModemLines?: boolean;
  /** The framing in force after open, where the port can read it back; absent: as requested. */
  readonly framing?: Framing;
  /**
   * Hands all of `data` to the device; resolves once every byte was accepted. One write at a time.
   * Rejects with a PortError whose `written` counts the bytes accepted before the failure; a
   * close() makes a write in flight reject promptly.
   */
  write(data: Uint8Array): Promise<void>;
  /** Changes the line speed while open. */
  setBaudRate(baudRate: number): Promise<void>;
  /** Sets DTR and RTS. Rejects with code ENOTTY where the device has no modem lines (a pty). */
  setSignals(signals: PortSignals): Promise<void>;
  /**
   * Applies a new framing while open (the baud rate stays). Input and output still in the driver
   * may be discarded, as on a baud change. Resolves with the framing now in force: what the driver
   * kept where it can be read back (a Linux pty keeps 8 bits, no parity), else `framing`.
   */
  setFraming(framing: Framing): Promise<Framing>;
  /** Starts (true) or ends (false) a break on the transmit line. Rejects where the device cannot (a pty). */
  setBreak(on: boolean): Promise<void>;
  /**
   * Stops reading until resumeReading(): what the device sends meanwhile waits in its own buffer
   * (and, on a port with flow control, holds the sender). Used when the main thread falls behind.
   */
  pauseReading(): void;
  /** Reads again after pauseReading(); harmless when not paused. */
  resumeReading(): void;
  /** Closes the device; no `end` follows. Safe to call twice. */
  close(): Promise<void>;
}

/** What to open, and how. */
export interface OpenRequest {
  path: string;
  baudRate: number;
  /** Framing to open with; absent: DEFAULT_FRAMING (8N1, no flow control). */
  framing?: Framing;
  /**
   * true (default): leave HUPCL as the device has it (the kernel's default sets it: the last close drops
   * DTR). false: clear it, as `stty -hupcl` does: closing then leaves DTR as it is. It persists on the device.
   */
  hupcl?: boolean;
}

/** Opens devices by path. Rejects with a WireError-shaped error (`code` ENOENT, EACCES, EBUSY, …) when it cannot. */
export interface PortOpener {
  open(request: OpenRequest, events: PortEvents): Promise<OpenPort>;
}

/** An Error carrying WireError's flags, so it can be thrown and still cross the thread boundary as data. */
export class PortError extends Error implements WireError {
  code?: string;
  disconnected?: boolean;
  /** On a failed write: how many of its bytes the device accepted first. */
  written?: number;
  constructor(message: string, flags: { code?: string; disconnected?: boolean; written?: number } = {}) {
    super(message);
    this.name = 'PortError';
    if (flags.code !== undefined) this.code = flags.code;
    if (flags.disconnected !== undefined) this.disconnected = flags.disconnected;
    if (flags.written !== undefined) this.written = flags.written;
  }
}

/** How many bytes a failed write got to the device before `error` (its `written`, else 0). */
export function writtenBefore(error: unknown): number {
  const written = (error as { written?: unknown } | null)?.written;
  return typeof written === 'number' && written > 0 ? written : 0;
}

/** Turns anything thrown into plain WireError data (Error objects do not survive postMessage intact). */
export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const flags = error as Error & { code?: unknown; disconnected?: unknown };
    const wire: WireError = { message: error.message };
    if (typeof flags.code === 'string') wire.code = flags.code;
    if (flags.disconnected === true) wire.disconnected = true;
    return wire;
  }
  return { message: String(error) };
}
