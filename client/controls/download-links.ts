// The Download menu's choices as capture download URLs: a time range (or everything kept) in a format.
import { downloadUrl, DOWNLOAD_FORMATS, type DownloadFormat, type DownloadQuery } from '../../server/wire/api.js';

/** The ranges the menu offers. `since-open`: from when this page was opened; `everything`: all the capture keeps. */
export type DownloadRange = 'last-minute' | 'last-10-minutes' | 'last-hour' | 'since-open' | 'everything';

/** The menu's ranges in order, with their visible labels; the link of each has id `download-<range>`. */
export const DOWNLOAD_RANGES: ReadonlyArray<{ range: DownloadRange; label: string }> = [
  { range: 'last-minute', label: 'Last minute' },
  { range: 'last-10-minutes', label: 'Last 10 minutes' },
  { range: 'last-hour', label: 'Last hour' },
  { range: 'since-open', label: 'Since I opened the page' },
  { range: 'everything', label: 'Everything kept' },
];

/** Length of each "last …" range, in seconds (the server's `last` parameter). */
const LAST_SECONDS: Readonly<Partial<Record<DownloadRange, number>>> = {
  'last-minute': 60,
  'last-10-minutes': 600,
  'last-hour': 3600,
};

/** The format offered first: text lines with their arrival times, what a person reading a log wants. */
export const DEFAULT_DOWNLOAD_FORMAT: DownloadFormat = 'text';

/** Visible labels of the formats, in menu order (the default first). */
export const DOWNLOAD_FORMAT_LABELS: Readonly<Record<DownloadFormat, string>> = {
  text: 'Text with timestamps',
  raw: 'Raw bytes',
  ndjson: 'NDJSON records',
};

/** True when `value` is a download format. */
export function isDownloadFormat(value: unknown): value is DownloadFormat {
  return (DOWNLOAD_FORMATS as readonly unknown[]).includes(value);
}

/**
 * The download query for `range` in `format`. `pageOpenedMs` (ms since the epoch) bounds `since-open`;
 * `everything` sends no range, so the server sends all it keeps.
 */
export function downloadQuery(range: DownloadRange, format: DownloadFormat, pageOpenedMs: number): DownloadQuery {
  if (range === 'since-open') return { format, since: String(Math.floor(pageOpenedMs)) };
  const last = LAST_SECONDS[range];
  return last === undefined ? { format } : { format, last };
}

/** The URL (relative to the page) of port `portId`'s capture for `range` in `format`. */
export function downloadHref(portId: string, range: DownloadRange, format: DownloadFormat, pageOpenedMs: number): string {
  return downloadUrl(portId, downloadQuery(range, format, pageOpenedMs));
}
