// The query of a download as a schema (it validates the query and is printed in the OpenAPI
// document): a format, and a range by offset or by time; then the rules a schema cannot say (a time
// that parses, `last` or `since`, a range in order). Pure, so every rule is unit-tested.
import { Type, type Static } from '@sinclair/typebox';
import { DOWNLOAD_ANSI_MODES, DOWNLOAD_FORMATS, type DownloadFormat } from '../wire/api.js';
import { literals, parseTime, streamOffset, timeText } from './schema-helpers.js';

/** Longest `last` accepted, in seconds: a year; anything longer is a typo (use no range for everything kept). */
export const MAX_LAST_SECONDS = 366 * 24 * 3600;

/** The query of GET /download (wire type: DownloadQuery in server/wire/api.ts). */
export const DownloadQuerySchema = Type.Object(
  {
    format: Type.Optional(
      literals(DOWNLOAD_FORMATS, { default: 'text', description: 'text: each line with its arrival time; raw: the bytes exactly; ndjson: one record per line (data, writes with their source, events).' }),
    ),
    ansi: Type.Optional(
      literals(DOWNLOAD_ANSI_MODES, {
        default: 'strip',
        description: 'text only (raw and ndjson are always exact): strip terminal escape sequences (colours, cursor moves) and control characters from each line, or keep them as the device sent them.',
      }),
    ),
    from: Type.Optional(streamOffset({ description: 'First stream offset (wins over since).' })),
    to: Type.Optional(streamOffset({ description: 'Stream offset to end before (wins over until).' })),
    since: Type.Optional(timeText({ description: 'Start of the range by arrival time.' })),
    until: Type.Optional(timeText({ description: 'End of the range by arrival time.' })),
    last: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LAST_SECONDS, description: 'The last this many seconds (instead of since).' })),
  },
  { additionalProperties: false },
);

/** A query that passed DownloadQuerySchema. */
export type CheckedDownloadQuery = Static<typeof DownloadQuerySchema>;

/** A parsed download request: offsets win over times; both unset means everything kept. */
export interface DownloadRequest {
  format: DownloadFormat;
  /** Text only: drop escape sequences and control characters from each line. */
  stripEscapes: boolean;
  from: { offset: number } | { timeMs: number } | null;
  to: { offset: number } | { timeMs: number } | null;
}

/** Resolves a checked query (now: the current time, for `last`); returns the request or the reason it is refused. */
export function toDownloadRequest(query: CheckedDownloadQuery, now: number): DownloadRequest | { error: string } {
  const times: { since: number | null; until: number | null } = { since: null, until: null };
  for (const name of ['since', 'until'] as const) {
    const text = query[name];
    if (text === undefined) continue;
    const ms = parseTime(text);
    if (!Number.isFinite(ms)) return { error: `${name} must be ${timeText().title}, got ${JSON.stringify(text)}` };
    times[name] = ms;
  }
  if (query.last !== undefined) {
    if (times.since !== null) return { error: 'give last or since, not both' };
    times.since = now - query.last * 1000;
  }
  const { from, to } = query;
  if (from !== undefined && to !== undefined && to < from) return { error: `to (${to}) is before from (${from})` };
  return {
    format: query.format ?? 'text',
    stripEscapes: (query.ansi ?? 'strip') === 'strip',
    from: from !== undefined ? { offset: from } : times.since !== null ? { timeMs: times.since } : null,
    to: to !== undefined ? { offset: to } : times.until !== null ? { timeMs: times.until } : null,
  };
}
