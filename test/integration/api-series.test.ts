// GET /api/ports/ID/series and /latest through the whole server on a real pty: after the board
// printed seed 000's JSON readings (and a Teleplot value with a unit, and some text), the series
// come back min/max decimated to the points asked for, the latest values with their times and
// units, and the counts of records and text by format; malformed queries get 400 and why.
import { afterEach, describe, expect, it } from 'vitest';
import type { LatestResponse, SeriesResponse } from '../../server/wire/api.js';
import { createPtyPair } from '../helpers/pty-pair.js';
import { request } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { untilOpen } from './api-helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Serves a pty whose board printed `text`; resolves once the port's line reader read the line `last`. */
async function fed(text: string, last: string): Promise<TestServer> {
  const pair = await createPtyPair();
  cleanups.push(() => pair.close());
  const srv = await startTestServer({ ports: [{ path: pair.devicePath, name: 's' }] });
  cleanups.push(() => srv.close());
  await untilOpen(srv);
  const read = new Promise<void>((resolve) => {
    const stop = srv.registry.get('s')!.lines().subscribe({ line: (l) => !l.partial && l.text === last && (stop(), resolve()) });
  });
  await pair.board.write(text);
  await read;
  return srv;
}

const reading = (i: number) => `{"temp":${i},"humidity":40,"ppm":${400 + (i % 7)},"pressure":101325}`;

describe('series and latest', () => {
  it('returns the series decimated to min and max per bucket, and the latest values with units and counts', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => reading(i));
    const srv = await fed([...lines, 'hello there', '>volt:3.3§V', 'end'].map((l) => `${l}\r\n`).join(''), 'end');

    const series = await request(srv.url, 'api/ports/s/series?names=temp,nope&points=10');
    expect(series.status).toBe(200);
    expect(series.headers.get('cache-control')).toBe('no-store');
    const body = series.json<SeriesResponse>();
    expect(body.names).toEqual(['temp', 'humidity', 'ppm', 'pressure', 'volt']);
    expect(body.series.map((s) => s.name)).toEqual(['temp']);
    const temp = body.series[0]!;
    expect(temp.count).toBe(50);
    expect(temp.values.length).toBeLessThanOrEqual(10);
    expect(temp.times).toHaveLength(temp.values.length);
    expect(Math.min(...temp.values)).toBe(0);
    expect(Math.max(...temp.values)).toBe(49);
    expect(body.to - body.from).toBe(3_600_000);

    const all = (await request(srv.url, 'api/ports/s/series')).json<SeriesResponse>();
    expect(all.series.map((s) => [s.name, s.count])).toEqual([
      ['temp', 50],
      ['humidity', 50],
      ['ppm', 50],
      ['pressure', 50],
      ['volt', 1],
    ]);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = (await request(srv.url, `api/ports/s/series?names=temp&from=${future}&to=${Date.now() + 120_000}`)).json<SeriesResponse>();
    expect(none.series[0]).toMatchObject({ name: 'temp', count: 0, times: [], values: [] });

    const latest = (await request(srv.url, 'api/ports/s/latest')).json<LatestResponse>();
    const field = (name: string) => latest.fields.find((f) => f.name === name);
    expect(field('temp')).toMatchObject({ value: 49 });
    expect(field('volt')).toMatchObject({ value: 3.3, unit: 'V' });
    expect(field('temp')!.timeMs).toBe(temp.times.at(-1));
    expect(latest.stats).toMatchObject({ lines: 53, records: 51, text: 2, byFormat: { json: 50, teleplot: 1, plotter: 0, csv: 0 } });
  });

  it('refuses malformed queries with 400 and the reason', async () => {
    const srv = await fed('x\r\n', 'x');
    const cases: Array<[string, RegExp]> = [
      ['series?points=1', /points must be an integer from 2 to 20000/],
      ['series?points=abc', /points must be/],
      ['series?from=yesterday', /from must be an ISO 8601 time or ms/],
      ['series?from=2000&to=1000', /is before from/],
      ['series?names=a,,b', /none empty/],
      ['series?window=5', /unknown parameter "window"/],
      ['latest?names=a', /unknown parameter "names"/],
    ];
    for (const [path, reason] of cases) {
      const answer = await request(srv.url, `api/ports/s/${path}`);
      expect(answer.status, path).toBe(400);
      expect(answer.json<{ error: string }>().error, path).toMatch(reason);
    }
    expect((await request(srv.url, 'api/ports/nope/series')).status).toBe(404);
  });
});
