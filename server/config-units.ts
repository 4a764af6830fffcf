// Sizes ("1MiB") and durations ("7d") as people write them in a config file or a flag.
// Pure parsers returning a value or a refusal, so the caller prefixes where the value came from.
import type { Refusal } from './wire/limits.js';
import { describeValue } from './config-checks.js';

/** Bytes per size unit. Every unit is binary (k = KiB), as today's --scrollback has always read them. */
const SIZE_UNIT_BYTES: Readonly<Record<string, number>> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

/** Milliseconds per duration unit. */
const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000, sec: 1000,
  m: 60_000, min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** A size in bytes from a number (bytes) or text such as `65536`, `512KiB`, `1.5 MiB`, `64M`; rounded to whole bytes. */
export function parseSize(value: unknown): number | { refusal: Refusal } {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim()) : null;
  const unit = match ? SIZE_UNIT_BYTES[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) return { refusal: `must be a size like 1MiB, 512KiB or 65536 (bytes), got ${describeValue(value)}` };
  return Math.round(Number(match[1]) * unit);
}

/** A duration in ms from a number (ms) or text with a unit such as `30m`, `12h`, `7d`, `2w`, `1.5h`. */
export function parseDuration(value: unknown): number | { refusal: Refusal } {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(value.trim()) : null;
  const unit = match ? DURATION_UNIT_MS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) return { refusal: `must be a duration like 30m, 12h or 7d, got ${describeValue(value)}` };
  return Math.round(Number(match[1]) * unit);
}


/** Bytes as a person reads them: `1MiB`, `64MiB`, `1.5GiB`, `4KiB`, `100B` (binary units, up to two decimals). */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const)
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))}${unit}`;
  return `${bytes}B`;
}

/** Milliseconds as a person reads them, in the largest unit that fits: `14d`, `12h`, `1.5h`, `30m`, `250ms`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const)
    if (ms >= size) return `${Number((ms / size).toFixed(2))}${unit}`;
  return `${ms}ms`;
}
