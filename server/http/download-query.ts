// Parses a download's query string into a format and a range by offset or by time, with a clear
// reason for anything malformed. Pure, so every rule is unit-tested.
import { DOWNLOAD_FORMATS, type DownloadFormat } from '../wire/api.js';

/** Longest `last` accepted, in seconds: a year; anything longer is a typo (use no range for everything kept). */
const MAX_LAST_SECONDS = 366 * 24 * 3600;

/** A parsed download request: offsets win over times; both unset means everything kept. */
export interface DownloadRequest {
  format: DownloadFormat;
  from: { offset: number } | { timeMs: number } | null;
  to: { offset: number } | { timeMs: number } | null;
}

/** Parses `params` (now: the current time, for `last`); returns the request or the reason it is refused. */
export function parseDownloadQuery(params: URLSearchParams, now: number): DownloadRequest | { error: string } {
  const known = new Set(['format', 'from', 'to', 'since', 'until', 'last', 'token']);
  for (const key of params.keys()) if (!known.has(key)) return { error: `unknown parameter ${JSON.stringify(key)}` };
  const formatParam = params.get('format') ?? 'text';
  const format = DOWNLOAD_FORMATS.find((f) => f === formatParam);
  if (!format) return { error: `format must be one of ${DOWNLOAD_FORMATS.join(', ')}, got ${JSON.stringify(formatParam)}` };

  const offset = (name: string): number | null | { error: string } => {
    const text = params.get(name);
    if (text === null) return null;
    return /^\d{1,15}$/.test(text) ? Number(text) : { error: `${name} must be a stream offset (a whole number), got ${JSON.stringify(text)}` };
  };
  const time = (name: string): number | null | { error: string } => {
    const text = params.get(name);
    if (text === null) return null;
    const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
    return Number.isFinite(ms) ? ms : { error: `${name} must be an ISO 8601 time or ms since the epoch, got ${JSON.stringify(text)}` };
  };

  const from = offset('from');
  const to = offset('to');
  const since = time('since');
  const until = time('until');
  for (const value of [from, to, since, until]) if (value !== null && typeof value === 'object') return value;
  let sinceMs = since as number | null;
  const lastText = params.get('last');
  if (lastText !== null) {
    if (!/^\d{1,9}$/.test(lastText) || Number(lastText) === 0 || Number(lastText) > MAX_LAST_SECONDS)
      return { error: `last must be a number of seconds from 1 to ${MAX_LAST_SECONDS}, got ${JSON.stringify(lastText)}` };
    if (sinceMs !== null) return { error: 'give last or since, not both' };
    sinceMs = now - Number(lastText) * 1000;
  }
  const request: DownloadRequest = {
    format,
    from: from !== null ? { offset: from as number } : sinceMs !== null ? { timeMs: sinceMs } : null,
    to: to !== null ? { offset: to as number } : until !== null ? { timeMs: until as number } : null,
  };
  if (typeof from === 'number' && typeof to === 'number' && to < from) return { error: `to (${to}) is before from (${from})` };
  return request;
}
