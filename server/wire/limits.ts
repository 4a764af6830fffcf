// Every limit on a value that changes a port, written once. The wire decoder, the config file and
// CLI, the HTTP API and the serial worker all validate through these functions, so a value refused
// in one place is refused everywhere with the same words. Browser-safe: no `node:` imports.

/** Highest baud rate accepted, in bits/s: above what USB serial adapters reach (FTDI/CP210x top out at 12 Mbaud), so anything higher is a typo. */
export const MAX_BAUD_RATE = 20_000_000;
/** Longest reset pulse accepted, in ms: a board reset needs ~1 ms; a long pulse is a mistake. */
export const MAX_RESET_MS = 5000;
/** Largest pacing delay accepted, in ms: tio caps its own at a few seconds for the same reason. */
export const MAX_PACING_DELAY_MS = 10_000;

/** Longest break accepted, in ms: a break is a line held low for a character time or a few hundred ms; seconds is a mistake. */
export const MAX_BREAK_MS = 5000;
/** Default break, in ms: what tcsendbreak(fd, 0) sends on Linux, and tio's default. */
export const DEFAULT_BREAK_MS = 250;
/** Default release for flashing, in ms: an avrdude or esptool upload takes seconds; a minute leaves room to retry. */
export const DEFAULT_RELEASE_MS = 60_000;
/** Shortest release accepted, in ms: under a second no uploader could even open the port. */
export const MIN_RELEASE_MS = 1000;
/** Longest release accepted, in ms: an hour; longer is a port forgotten, which every viewer would lose. */
export const MAX_RELEASE_MS = 3_600_000;

/** Data bits per character a port can be set to. */
export const DATA_BITS = [5, 6, 7, 8] as const;
/** One of DATA_BITS. */
export type DataBits = (typeof DATA_BITS)[number];
/** Parity settings, with tio's names: mark and space are a parity bit always 1 or always 0 (Linux's CMSPAR). */
export const PARITIES = ['none', 'odd', 'even', 'mark', 'space'] as const;
/** One of PARITIES. */
export type Parity = (typeof PARITIES)[number];
/** Stop bits a port can be set to (1.5 exists only on Windows). */
export const STOP_BITS = [1, 2] as const;
/** One of STOP_BITS. */
export type StopBits = (typeof STOP_BITS)[number];
/** Flow control, with tio's names: `hard` is RTS/CTS (CRTSCTS), `soft` is XON/XOFF both ways (IXON, IXOFF). */
export const FLOW_CONTROLS = ['none', 'hard', 'soft'] as const;
/** One of FLOW_CONTROLS. */
export type FlowControl = (typeof FLOW_CONTROLS)[number];

/** A character's framing on the line: what `set-framing`, the config and the status carry. */
export interface Framing {
  dataBits: DataBits;
  parity: Parity;
  stopBits: StopBits;
  flow: FlowControl;
}
/** 8N1 without flow control: what nearly every board speaks. */
export const DEFAULT_FRAMING: Readonly<Framing> = Object.freeze({ dataBits: 8, parity: 'none', stopBits: 1, flow: 'none' });

/** A reason a value is refused (to be prefixed with where it came from), or null when it is valid. */
export type Refusal = string | null;

/** Whole number in [min, max], or the reason it is not. */
export function checkIntIn(value: unknown, min: number, max: number, unit = ''): Refusal {
  const suffix = unit ? ` ${unit}` : '';
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    return `must be an integer from ${min} to ${max}${suffix}, got ${formatValue(value)}`;
  return null;
}

/** A baud rate: 1 to MAX_BAUD_RATE. */
export function checkBaudRate(value: unknown): Refusal {
  return checkIntIn(value, 1, MAX_BAUD_RATE);
}

/** A pacing delay (per byte or per line ending): 0 to MAX_PACING_DELAY_MS. */
export function checkPacingDelay(value: unknown): Refusal {
  return checkIntIn(value, 0, MAX_PACING_DELAY_MS, 'ms');
}

/** A reset pulse: 1 to MAX_RESET_MS. */
export function checkResetMs(value: unknown): Refusal {
  return checkIntIn(value, 1, MAX_RESET_MS, 'ms');
}

/** Data bits: 5, 6, 7 or 8. */
export function checkDataBits(value: unknown): Refusal {
  return checkOneOf(value, DATA_BITS);
}

/** Parity: none, odd, even, mark or space. */
export function checkParity(value: unknown): Refusal {
  return checkOneOf(value, PARITIES);
}

/** Stop bits: 1 or 2. */
export function checkStopBits(value: unknown): Refusal {
  return checkOneOf(value, STOP_BITS);
}

/** Flow control: none, hard (RTS/CTS) or soft (XON/XOFF). */
export function checkFlow(value: unknown): Refusal {
  return checkOneOf(value, FLOW_CONTROLS);
}

/** A break: 1 to MAX_BREAK_MS. */
export function checkBreakMs(value: unknown): Refusal {
  return checkIntIn(value, 1, MAX_BREAK_MS, 'ms');
}

/** A release for flashing: MIN_RELEASE_MS to MAX_RELEASE_MS. */
export function checkReleaseMs(value: unknown): Refusal {
  return checkIntIn(value, MIN_RELEASE_MS, MAX_RELEASE_MS, 'ms');
}

/** One of `allowed` (compared exactly: 8 is not "8"), or the reason it is not. */
export function checkOneOf(value: unknown, allowed: readonly (string | number)[]): Refusal {
  if ((allowed as readonly unknown[]).includes(value)) return null;
  const list = allowed.map((v) => String(v));
  const words = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : (list[0] ?? '');
  return `must be ${words}, got ${formatValue(value)}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return value === undefined ? 'nothing' : typeof value;
}
