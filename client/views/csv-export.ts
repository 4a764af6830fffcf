// The plot's visible points as CSV: what the person sees, in a file a spreadsheet opens.
import type { AlignedColumns } from './bucket-ring.js';

/**
 * CSV of `data` (aligned: shared times, one column per name) between fromMs and toMs inclusive: a
 * header `time_ms,time,<names>`, then one row per time at which any series has a value (whole ms since the
 * epoch, ISO 8601 UTC, values; an empty cell where a series has none). Lines end in CRLF (RFC 4180).
 */
export function csvText(names: readonly string[], data: AlignedColumns, fromMs: number, toMs: number): string {
  const rows = [['time_ms', 'time', ...names].map(csvCell).join(',')];
  for (let i = 0; i < data.times.length; i++) {
    const t = data.times[i]!;
    if (t < fromMs || t > toMs) continue;
    const cells = data.columns.map((c) => c[i]);
    if (cells.every((v) => v === null || v === undefined)) continue;
    const ms = Math.round(t); // bucket rows sit at fractions of a ms; a file wants whole ones
    rows.push([String(ms), new Date(ms).toISOString(), ...cells.map((v) => (v === null || v === undefined ? '' : String(v)))].join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

/** One CSV cell: quoted (quotes doubled) when it holds a comma, quote or line break, or starts with a formula character. */
export function csvCell(text: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet (CSV injection): a field name comes from the device.
  const guarded = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) || guarded !== text ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** A file name for an export of `port` at `nowMs`: `<port>-plot-2025-11-30T10-00-00-000Z.csv`. */
export function csvFileName(port: string, nowMs: number): string {
  return `${port.replace(/[^\w.-]+/g, '_')}-plot-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}.csv`;
}
