// GET /api/ports/:id/events: a port's lines, records, device status, gaps, console filters and
// writes as Server-Sent Events, for the browser's EventSource and for `curl -N`. Each line, record
// or gap event's id is a stream offset to resume from (Last-Event-ID, or ?lastEventId= where a
// header is awkward): the stream replays from the capture what the client missed, then goes live,
// nothing lost or repeated. `status` and `filters` are state, not stream: sent as they stand when
// the stream opens and on every change. `write` notes (who wrote what, where in the output) are
// replayed from the recent writes from the resume point, then live. None of those three carries
// an id, so they never move a client's resume point.
// A client that cannot keep up is not buffered for: its feed lets go of live events and replays
// them once it drains.
import { Type, type Static } from '@sinclair/typebox';
import type { Context } from 'koa';
import { LineFeed, type FeedSink } from '../../lines/line-feed.js';
import type { LineEvent } from '../../lines/line-replay.js';
import type { PortFilterStore } from '../../ports/port-filters.js';
import type { ServedPort } from '../../ports/served-port.js';
import { SSE_EVENT_TYPES, type GapData, type SseEventData, type SseEventType } from '../../wire/api.js';
import type { AuditTrail } from '../../audit/audit-trail.js';
import type { RecentWrites } from '../../audit/recent-writes.js';
import { principalOf } from '../access-middleware.js';
import { API_SCHEMAS } from '../api-schemas.js';
import { sendError } from '../send-error.js';
import { defineRoute, type ApiDeps } from '../route-spec.js';
import { literals, streamOffset } from '../schema-helpers.js';
import { toLineData, toRecordData } from './line-data.js';

/** Interval of the heartbeat comment, in ms: 15 s, well under the 30–60 s after which proxies and NAT tables drop an idle connection. */
export const SSE_HEARTBEAT_MS = 15_000;
/** Bytes queued for a client above which its feed stops taking live events (and replays them from the capture once drained), in bytes: 64 KiB, a few hundred lines. */
export const SSE_HIGH_WATER_BYTES = 64 * 1024;
/** Reconnect delay asked of EventSource, in ms: 1 s (browsers default to ~3 s); a resume costs little. */
export const SSE_RETRY_MS = 1000;
/** Retry-After of a 503 when every event stream is taken, in s: long enough for a page to have closed one. */
export const SSE_FULL_RETRY_AFTER_S = 5;
/**
 * Event streams allowed per allowed browser connection (maxClients): a page holds at most two per
 * port it shows (the Lines view's and the tiles' and plot's), so a full room of pages still fits.
 */
export const EVENT_STREAMS_PER_CLIENT = 2;

/** The query of GET /events. */
export const EventsQuerySchema = Type.Object(
  {
    types: Type.Optional(Type.Array(literals(SSE_EVENT_TYPES), { description: 'The event types wanted (default all).' })),
    lastEventId: Type.Optional(streamOffset({ description: 'Where to resume, for clients that cannot send Last-Event-ID (the header wins).' })),
  },
  { additionalProperties: false },
);

/** The headers GET /events reads. */
export const EventsHeadersSchema = Type.Object({
  'Last-Event-ID': Type.Optional(streamOffset({ description: "The last event's id: the stream resumes after it, from the capture (EventSource sends it on reconnect)." })),
});

/** A parsed events request: the event types wanted, and where to resume (null: from now). */
export interface EventsRequest {
  types: ReadonlySet<SseEventType>;
  from: number | null;
}

/** Resolves a checked query and headers: the Last-Event-ID header wins over ?lastEventId=, as EventSource sends the newest in it on reconnect. */
export function toEventsRequest(query: Static<typeof EventsQuerySchema>, headers: Static<typeof EventsHeadersSchema>): EventsRequest {
  return { types: new Set(query.types ?? SSE_EVENT_TYPES), from: headers['Last-Event-ID'] ?? query.lastEventId ?? null };
}

/** One SSE event: `id` (when given; null leaves the client's last id as it was), `event`, one `data` line of JSON (JSON has no raw newlines). */
export function sseEvent<T extends SseEventType>(type: T, id: number | null, data: SseEventData[T]): string {
  return `${id === null ? '' : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** GET /api/ports/:id/events: streams the port's events until the client goes; 400 with a reason for a malformed query. */
export const eventsRoute = defineRoute({
  method: 'GET',
  path: '/api/ports/:id/events',
  summary: "Server-Sent Events of the port's lines, records, device status, gaps, console filters and writes",
  description:
    'Events `line` (LineData), `record` (RecordData), `status` (DeviceStatus), `gap` (GapData), `filters` (PortFilters), `write` (WriteNote), each one `data:` line of JSON; ' +
    "a line, record or gap event's id is the stream offset to resume from; `status` and `filters` come first as they stand, then on every change; " +
    '`write` notes come from the resume point on (recent ones replayed, then live; a resume may repeat one, named by its writeOffset). Those three have no id. ' +
    `A heartbeat every ${SSE_HEARTBEAT_MS / 1000} s carries the resume id.`,
  query: EventsQuerySchema,
  headers: EventsHeadersSchema,
  responses: {
    200: {
      description: 'The event stream, until the client goes.',
      contentType: 'text/event-stream; charset=utf-8',
      schema: Type.String({ description: 'Events whose data are LineData, RecordData, DeviceStatus, GapData, PortFilters and WriteNote (see components).' }),
    },
    503: {
      description: `Every event stream the server allows is open (${EVENT_STREAMS_PER_CLIENT} × maxClients, over all ports); Retry-After says when to try again.`,
      schema: API_SCHEMAS.Error,
    },
  },
  handler: (ctx, deps, port, { query, headers }) => (port ? streamEvents(ctx, port, toEventsRequest(query, headers), deps) : undefined),
});

function streamEvents(ctx: Context, port: ServedPort, request: EventsRequest, deps: ApiDeps): void {
  const { types } = request;
  const { audit, eventStreams } = deps;
  const giveBack = ctx.method === 'HEAD' ? () => undefined : eventStreams.take();
  if (!giveBack) {
    ctx.set('Retry-After', String(SSE_FULL_RETRY_AFTER_S));
    return sendError(ctx, 503, `too many event streams: all ${eventStreams.max} are open (${EVENT_STREAMS_PER_CLIENT} per allowed client, see maxClients); try again later`);
  }
  ctx.respond = false; // the response is written here, as events come
  const res = ctx.res;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no', // nginx: pass events through at once
    Connection: 'keep-alive',
  });
  if (ctx.method === 'HEAD') return void res.end();
  const socket = ctx.req.socket;
  socket.setTimeout(0);
  socket.setNoDelay(true);
  socket.setKeepAlive(true);
  res.on('error', () => undefined); // a client that vanishes mid-write ends in 'close' below

  // An EventSource watching the port is recorded like a WebSocket client: who, from where, how long.
  const who = principalOf(ctx).name;
  const source = `sse@${ctx.ip || 'unknown'}`;
  audit?.attached(port.id, who, source, { via: 'sse', role: principalOf(ctx).roleOn(port.id) });
  let closed = false;
  let corked = false;
  const write = (text: string): void => {
    if (closed) return;
    // Events framed in one run of JavaScript (a batch of lines and their records) leave in one
    // write: on a no-delay socket each res.write would otherwise be its own syscall and packet.
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(() => {
        corked = false;
        res.uncork();
      });
    }
    res.write(text);
  };
  const sink: FeedSink = {
    send: (event: LineEvent) => {
      if (event.type === 'line') {
        // A partial's id is its start: resuming from it brings the line again, whole.
        if (types.has('line')) write(sseEvent('line', event.line.partial ? event.line.offset : event.line.endOffset, toLineData(event.line)));
      } else if (event.type === 'record') {
        if (types.has('record')) write(sseEvent('record', event.endOffset, toRecordData(event.record, event.endOffset)));
      } else if (types.has('gap')) {
        const gap: GapData = { from: event.from, to: event.to };
        write(sseEvent('gap', event.to, gap));
      }
    },
    get full() {
      return res.writableLength > SSE_HIGH_WATER_BYTES;
    },
    drained: () =>
      new Promise<void>((resolve) => {
        if (closed || res.writableLength <= SSE_HIGH_WATER_BYTES) return resolve();
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      }),
  };

  write(`retry: ${SSE_RETRY_MS}\n: serialdeck events of port ${port.id}\n\n`);
  if (types.has('status')) write(sseEvent('status', null, port.device));
  const unlisten = port.listen({ status: (device) => types.has('status') && write(sseEvent('status', null, device)) });
  const unwatch = types.has('filters') ? sendFilters(deps.filters, port.id, write) : () => undefined;
  const unhear = types.has('write') && audit ? sendWrites(audit, deps.recentWrites, port.id, request.from, write) : () => undefined;
  const feed = new LineFeed(port.lines(), port.channel, sink, {
    from: request.from,
    onError: () => res.end(), // a disk error while replaying: the client reconnects with its Last-Event-ID
  });
  // The heartbeat carries the resume offset as an id-only event: EventSource keeps it without firing,
  // so a client filtering to rare records still resumes from where the stream really was.
  const heartbeat = setInterval(() => write(`id: ${feed.position}\n: heartbeat\n\n`), SSE_HEARTBEAT_MS);
  res.once('close', () => {
    closed = true;
    giveBack();
    audit?.detached(port.id, who, source, { via: 'sse' });
    clearInterval(heartbeat);
    unlisten();
    unwatch();
    unhear();
    feed.close();
  });
  feed.start();
}

/**
 * Writes port `id`'s filters as a `filters` event now (once read) and after every change; returns
 * the unsubscribe. It watches before it reads, and a change that lands first wins over the read,
 * so a stream never ends on a list older than the newest.
 */
function sendFilters(store: PortFilterStore, id: string, write: (text: string) => void): () => void {
  let changed = false;
  const unwatch = store.watch(id, (next) => {
    changed = true;
    write(sseEvent('filters', null, next));
  });
  void store.get(id).then(
    (current) => changed || write(sseEvent('filters', null, current)),
    () => undefined, // get() reads a broken or missing file as an empty list; nothing to send otherwise
  );
  return unwatch;
}

/**
 * Writes port `id`'s write notes as `write` events: the recent ones at stream offset `from` or later
 * (none when the stream starts from now), then each new one; returns the unsubscribe. The replay and
 * the subscription happen in one run of JavaScript, so no write falls between them or comes twice.
 */
function sendWrites(audit: AuditTrail, recent: RecentWrites | undefined, id: string, from: number | null, write: (text: string) => void): () => void {
  if (from !== null) for (const note of recent?.since(id, from) ?? []) write(sseEvent('write', null, note));
  return audit.onWrite((port, note) => port === id && write(sseEvent('write', null, note)));
}
