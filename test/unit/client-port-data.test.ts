import { describe, expect, it } from 'vitest';
import type { RecordData } from '../../server/wire/api.js';
import { createPortData, type EventSourceLike } from '../../client/views/port-data.js';
import { manualTimers } from './client-fakes.js';

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  closed = false;
  private readonly listeners = new Map<string, Array<(event: MessageEvent<string>) => void>>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  emit(type: string, data = '', lastEventId = ''): void {
    for (const l of this.listeners.get(type) ?? []) l({ data, lastEventId } as MessageEvent<string>);
  }
}

function setup() {
  const timers = manualTimers();
  const sources: FakeEventSource[] = [];
  const fetched: string[] = [];
  const host = createPortData({
    portId: 'my uno',
    pageHref: 'http://pi.local:8080/deck/?x=1#/uno',
    timers,
    fetch: async (url) => {
      fetched.push(url);
      return { ok: true, status: 200, json: async () => ({}) };
    },
    eventSource: (url) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source;
    },
    download: () => undefined,
  });
  return { host, timers, sources, fetched };
}

const record: RecordData = { offset: 0, endOffset: 10, timeMs: 1, format: 'json', fields: { temp: 21 } };

describe('port data for the views', () => {
  it('shares one record stream among listeners, opened with the first and closed with the last', () => {
    const { host, sources } = setup();
    const a: RecordData[] = [];
    const b: RecordData[] = [];
    const subA = host.onRecord((r) => a.push(r));
    const subB = host.onRecord((r) => b.push(r));
    expect(sources.map((s) => s.url)).toEqual(['http://pi.local:8080/deck/api/ports/my%20uno/events?types=record']);
    sources[0]!.emit('record', JSON.stringify(record), '10');
    sources[0]!.emit('record', '{not json', '11');
    expect(a).toEqual([record]);
    expect(b).toEqual([record]);
    subA.dispose();
    expect(sources[0]!.closed).toBe(false);
    subB.dispose();
    expect(sources[0]!.closed).toBe(true);
  });

  it('reopens a stream the browser gave up on, from the last event id, after a pause', () => {
    const { host, sources, timers } = setup();
    host.onRecord(() => undefined);
    sources[0]!.emit('record', JSON.stringify(record), '42');
    sources[0]!.readyState = 2;
    sources[0]!.emit('error');
    expect(sources).toHaveLength(1);
    timers.advance(5_000);
    expect(sources[1]?.url).toBe('http://pi.local:8080/deck/api/ports/my%20uno/events?types=record&lastEventId=42');
    host.dispose();
    expect(sources[1]!.closed).toBe(true);
  });

  it('whenOpen resolves on the open event, or after a short wait when the stream cannot connect', async () => {
    const { host, sources, timers } = setup();
    host.onRecord(() => undefined);
    let opened = false;
    void host.whenOpen().then(() => (opened = true));
    await Promise.resolve();
    expect(opened).toBe(false);
    sources[0]!.emit('open');
    await Promise.resolve();
    expect(opened).toBe(true);

    const other = setup();
    let waited = false;
    void other.host.whenOpen().then(() => (waited = true));
    other.timers.advance(3_000);
    await Promise.resolve();
    expect(waited).toBe(true);
    expect(timers.pending()).toBe(0);
  });

  it('builds series and latest URLs beside the page', async () => {
    const { host, fetched } = setup();
    await host.fetchSeries({ names: ['temp', 'ppm'], fromMs: 1000.7, toMs: 2000.2, points: 50_000 });
    await host.fetchLatest();
    expect(fetched).toEqual([
      'http://pi.local:8080/deck/api/ports/my%20uno/series?points=20000&names=temp%2Cppm&from=1000&to=2001',
      'http://pi.local:8080/deck/api/ports/my%20uno/latest',
    ]);
  });
});
