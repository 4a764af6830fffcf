// Every limit on a value that changes a port, written once. The wire decoder, the config file and
// CLI, the HTTP API and the serial worker all validate through these functions, so a value refused
// in one place is refused everywhere with the same words. Browser-safe: no `node:` imports.

/** Highest baud rate accepted, in bits/s: above what USB serial adapters reach (FTDI/CP210x top out at 12 Mbaud), so anything higher is a typo. */
export const MAX_BAUD_RATE = 20_000_000;
/** Longest reset pulse accepted, in ms: a board reset needs ~1 ms; a long pulse is a mistake. */
export const MAX_RESET_MS = 5000;
/** Largest pacing delay accepted, in ms: tio caps its own at a few seconds for the same reason. */
export const MAX_PACING_DELAY_MS = 10_000;

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

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return value === undefined ? 'nothing' : typeof value;
}
