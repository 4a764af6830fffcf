// What a data view is given when it is activated: one port's series, latest values and live records.
// One EventSource per port is shared by the views that listen, opened on the first listener and
// closed with the last; EventSource itself reconnects with Last-Event-ID, so nothing is lost or doubled.
import {
  apiPaths,
  type LatestResponse,
  type RecordData,
  type SeriesResponse,
} from '../../server/wire/api.js';
import type { Timers } from '../ui/timers.js';
import { toDisposable, type Disposable } from './disposables.js';

/** A query of GET /api/ports/ID/series. */
export interface SeriesQuery {
  names?: readonly string[];
  fromMs?: number;
  toMs?: number;
  points: number;
}

/** The port a view shows, and how it reads the port's data. */
export interface ViewHost {
  readonly portId: string;
  readonly timers: Timers;
  fetchSeries(query: SeriesQuery): Promise<SeriesResponse>;
  fetchLatest(): Promise<LatestResponse>;
  /** Calls `listener` with each record from now on (the stream opens with the first listener). */
  onRecord(listener: (record: RecordData) => void): Disposable;
  /** Resolves once the record stream is connected (a fill fetched after that misses nothing), or after a short wait if it cannot connect. */
  whenOpen(): Promise<void>;
  /** Saves `blob` as a download called `name`. */
  download(blob: Blob, name: string): void;
}

/** The EventSource constructor's shape (the page's own, or a fake in tests). */
export type EventSourceFactory = (url: string) => EventSourceLike;

/** The part of EventSource used here. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}

/** Longest wait for the record stream before filling anyway, in ms: a server without SSE must not leave the views empty. */
const OPEN_WAIT_MS = 3_000;
/** Wait before reopening a stream the browser gave up on (an HTTP error), in ms; EventSource's own retries cover dropped connections. */
const REOPEN_MS = 5_000;
/** EventSource.CLOSED: the browser will not reconnect by itself. */
const CLOSED = 2;

/** Everything a port's host needs from the page. */
export interface PortDataDeps {
  portId: string;
  /** The page's URL: API paths are resolved beside it (a reverse proxy's sub-path works). */
  pageHref: string;
  timers: Timers;
  fetch(url: string): Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;
  eventSource: EventSourceFactory;
  download(blob: Blob, name: string): void;
}

/** A ViewHost for one port, and dispose() to close its stream. */
export function createPortData(deps: PortDataDeps): ViewHost & Disposable {
  const listeners = new Set<(record: RecordData) => void>();
  let source: EventSourceLike | null = null;
  let lastEventId = '';
  let open = false;
  let waiting: Array<() => void> = [];
  let reopen: unknown = null;
  let disposed = false;

  const url = (path: string, params?: URLSearchParams): string => {
    const search = params?.toString() ?? '';
    return new URL(`.${path}${search ? `?${search}` : ''}`, deps.pageHref).href;
  };

  async function getJson<T>(target: string): Promise<T> {
    const response = await deps.fetch(target);
    if (!response.ok) throw new Error(`${target}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }

  function settleWaiting(): void {
    const waiters = waiting;
    waiting = [];
    for (const resolve of waiters) resolve();
  }

  function openStream(): void {
    if (disposed || source) return;
    const params = new URLSearchParams({ types: 'record' });
    if (lastEventId !== '') params.set('lastEventId', lastEventId); // a reopened stream resumes where the last one was
    const es = deps.eventSource(url(apiPaths.events(deps.portId), params));
    source = es;
    es.addEventListener('open', () => {
      open = true;
      settleWaiting();
    });
    es.addEventListener('record', (event) => {
      if (event.lastEventId) lastEventId = event.lastEventId;
      let record: RecordData;
      try {
        record = JSON.parse(event.data) as RecordData;
      } catch {
        return; // not ours to crash on; the next record comes
      }
      for (const listener of [...listeners]) listener(record);
    });
    es.addEventListener('error', () => {
      open = false;
      if (es.readyState !== CLOSED || disposed) return;
      settleWaiting(); // fill from what the API has; live updates come when the stream is back
      source = null;
      reopen = deps.timers.setTimeout(() => {
        reopen = null;
        if (listeners.size > 0) openStream();
      }, REOPEN_MS);
    });
  }

  function closeStream(): void {
    if (reopen !== null) deps.timers.clearTimeout(reopen);
    reopen = null;
    source?.close();
    source = null;
    open = false;
    settleWaiting();
  }

  return {
    portId: deps.portId,
    timers: deps.timers,
    fetchSeries(query) {
      const params = new URLSearchParams({ points: String(Math.max(2, Math.min(20_000, Math.round(query.points)))) });
      if (query.names) params.set('names', query.names.join(','));
      if (query.fromMs !== undefined) params.set('from', String(Math.floor(query.fromMs)));
      if (query.toMs !== undefined) params.set('to', String(Math.ceil(query.toMs)));
      return getJson<SeriesResponse>(url(apiPaths.series(deps.portId), params));
    },
    fetchLatest: () => getJson<LatestResponse>(url(apiPaths.latest(deps.portId))),
    onRecord(listener) {
      listeners.add(listener);
      openStream();
      return toDisposable(() => {
        listeners.delete(listener);
        if (listeners.size === 0) closeStream();
      });
    },
    whenOpen() {
      if (open || disposed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = deps.timers.setTimeout(resolve, OPEN_WAIT_MS);
        waiting.push(() => {
          deps.timers.clearTimeout(timer);
          resolve();
        });
      });
    },
    download: (blob, name) => deps.download(blob, name),
    dispose() {
      disposed = true;
      listeners.clear();
      closeStream();
    },
  };
}
