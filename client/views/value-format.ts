// Numbers and durations as the tiles and the plot print them.

/** Significant digits shown for a reading: a sensor's own resolution rarely goes beyond this. */
const SIGNIFICANT_DIGITS = 6;

/** `value` for a tile: integers whole (101325), others to SIGNIFICANT_DIGITS without trailing zeros (21.4, 0.000123). */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const text = value.toPrecision(SIGNIFICANT_DIGITS);
  if (text.includes('e')) return text.replace(/\.?0+e/, 'e');
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A short age: "now", "4 s", "3 min", "2 h". */
export function formatAge(ms: number): string {
  if (ms < 1_000) return 'now';
  if (ms < 60_000) return `${Math.floor(ms / 1_000)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min`;
  return `${Math.floor(ms / 3_600_000)} h`;
}
