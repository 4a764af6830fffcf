// GET /api/ports/:id/download: a range of a port's capture, by offset or by time, streamed as raw
// bytes, timestamped text or NDJSON records. Memory stays bounded however large the range: records
// are read from disk and formatted as the client takes them, and a client that hangs up stops it.
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { Context } from 'koa';
import type { ServedPort } from '../../ports/served-port.js';
import { formatNdjson, formatRaw, formatText } from '../../capture/download-formats.js';
import type { DownloadFormat } from '../../wire/api.js';
import { DOWNLOAD_MEDIA_TYPES as CONTENT_TYPES } from '../api-schemas.js';
import { DownloadQuerySchema, toDownloadRequest, type CheckedDownloadQuery } from '../download-query.js';
import { defineRoute } from '../route-spec.js';
import { sendError } from '../send-error.js';

const EXTENSIONS: Record<DownloadFormat, string> = { raw: 'bin', text: 'txt', ndjson: 'ndjson' };

const text = Type.String();

/** Streams the requested range; 400 with a reason for a malformed query. */
export const downloadRoute = defineRoute({
  method: 'GET',
  path: '/api/ports/:id/download',
  summary: "A range of the port's capture, as an attachment",
  description: 'By offset (from, to) or by time (since, until, or last); none: everything kept. Offsets win over times.',
  query: DownloadQuerySchema,
  responses: {
    200: {
      description: 'The range, streamed.',
      contentType: CONTENT_TYPES.text,
      schema: text,
      alternatives: { [CONTENT_TYPES.raw]: text, [CONTENT_TYPES.ndjson]: text },
      headers: { 'X-Serialdeck-Range': { description: 'The offsets covered, FROM-TO.', schema: Type.String({ pattern: '^\\d+-\\d+$' }) } },
    },
  },
  handler: (ctx, _deps, port, { query }) => (port ? download(ctx, port, query) : undefined),
});

async function download(ctx: Context, port: ServedPort, query: CheckedDownloadQuery): Promise<void> {
  const now = Date.now();
  const request = toDownloadRequest(query, now);
  if ('error' in request) return sendError(ctx, 400, request.error, { code: 'bad-request' });
  const channel = port.channel;
  const resolve = async (bound: typeof request.from, fallback: number): Promise<number> => {
    if (bound === null) return fallback;
    return 'offset' in bound ? bound.offset : channel.offsetAtTime(bound.timeMs);
  };
  const end = channel.end;
  const from = Math.max(await resolve(request.from, channel.oldest), channel.oldest);
  const to = Math.min(await resolve(request.to, end), end);
  const rangeStartMs = request.from && 'timeMs' in request.from ? request.from.timeMs : null;

  const abort = new AbortController();
  ctx.req.once('close', () => abort.abort());
  const records = await peekFirst(channel.records(from, Math.max(from, to), abort.signal));
  // Elapsed times count from the start asked for, or from the first record when none was.
  const startMs = rangeStartMs ?? records.first?.timeMs ?? now;
  const chunks =
    request.format === 'raw'
      ? formatRaw(records.all)
      : request.format === 'ndjson'
        ? formatNdjson(records.all)
        : formatText(records.all, startMs, { stripEscapes: request.stripEscapes });
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  ctx.set('Content-Type', CONTENT_TYPES[request.format]);
  ctx.set('Content-Disposition', `attachment; filename="${port.id}-${stamp}.${EXTENSIONS[request.format]}"`);
  ctx.set('X-Serialdeck-Range', `${from}-${Math.max(from, to)}`);
  ctx.set('Cache-Control', 'no-store');
  const body = Readable.from(chunks, { objectMode: false });
  body.on('error', () => body.destroy()); // a read error mid-stream ends the download; the status is already sent
  // However the body ends (sent, the client gone, a HEAD that never reads it), the capture's reader closes its file now, not at GC.
  body.once('close', () => void records.close());
  ctx.body = body;
}

/** Reads the first record ahead (for its time) and gives back an iterable of all of them, the first included, and a close() that ends the source early. */
async function peekFirst<T>(source: AsyncIterable<T>): Promise<{ first: T | undefined; all: AsyncIterable<T>; close(): Promise<unknown> }> {
  const iterator = source[Symbol.asyncIterator]();
  const head = await iterator.next();
  const first = head.done ? undefined : head.value;
  async function* all(): AsyncIterable<T> {
    if (head.done) return;
    yield head.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { first, all: all(), close: async () => iterator.return?.() };
}
