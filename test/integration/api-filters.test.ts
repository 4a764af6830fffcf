// GET/PUT /api/ports/ID/filters through the whole server: a PUT is checked (schema, unique ids,
// patterns that compile) and refused with 400 and a reason, saved beside the capture and read back
// by a new server on the same data directory; with no data directory the filters are kept in memory
// and the answer says so. Filters never touch the capture.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LineFilter, PortFilters } from '../../server/wire/api.js';
import { MAX_FILTER_PATTERN_CHARS, MAX_FILTERS_PER_PORT } from '../../server/wire/api.js';
import { request } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { untilOpen } from './api-helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function serve(input: Parameters<typeof startTestServer>[0] = {}, keepDataDir = false): Promise<TestServer> {
  const srv = await startTestServer({ ports: [{ path: 'demo', name: 'd' }], ...input }, { keepDataDir });
  cleanups.push(() => srv.close());
  await untilOpen(srv);
  return srv;
}

const filter = (over: Partial<LineFilter> = {}): LineFilter => ({ id: 'f1', pattern: 'temp', flags: '', action: 'hide', colour: 'yellow', enabled: true, ...over });
const put = (srv: TestServer, body: unknown, id = 'd') =>
  request(srv.url, `api/ports/${id}/filters`, { method: 'PUT', body: typeof body === 'string' ? body : JSON.stringify(body) });
const get = (srv: TestServer, id = 'd') => request(srv.url, `api/ports/${id}/filters`);

describe('console filters over HTTP', () => {
  it('starts empty, saves a list, and a new server on the same data directory reads it back', async () => {
    const first = await serve({}, true);
    cleanups.push(async () => {
      const { rm } = await import('node:fs/promises');
      await rm(first.dataDir, { recursive: true, force: true });
    });
    const empty = await get(first);
    expect(empty.status).toBe(200);
    expect(empty.json<PortFilters>()).toEqual({ filters: [], persisted: true, updatedMs: null });

    const list = [filter(), filter({ id: 'errors', pattern: 'err(or)?|fail', flags: 'i', action: 'highlight', colour: 'red' }), filter({ id: 'only', action: 'only', pattern: '^>', enabled: false })];
    const saved = await put(first, { filters: list });
    expect(saved.status).toBe(200);
    const body = saved.json<PortFilters>();
    expect(body.filters).toEqual(list);
    expect(body.persisted).toBe(true);
    expect(typeof body.updatedMs).toBe('number');
    expect((await get(first)).json<PortFilters>()).toEqual(body);
    // Beside the capture, as JSON a person can read.
    const file = JSON.parse(await readFile(join(first.dataDir, 'ports', 'd', 'filters.json'), 'utf8')) as { filters: LineFilter[] };
    expect(file.filters).toEqual(list);
    await first.close();

    const second = await serve({ dataDir: first.dataDir });
    expect((await get(second)).json<PortFilters>()).toEqual(body);
    // Replacing with an empty list clears them.
    expect((await put(second, { filters: [] })).json<PortFilters>().filters).toEqual([]);
    expect((await get(second)).json<PortFilters>().filters).toEqual([]);
  });

  it('refuses a bad list with 400 and a reason, and keeps the old one', async () => {
    const srv = await serve();
    expect((await put(srv, { filters: [filter()] })).status).toBe(200);
    const refusals: Array<[unknown, RegExp]> = [
      [{ filters: [filter({ pattern: '(unclosed' })] }, /filters\/0\/pattern "\(unclosed" does not compile/],
      [{ filters: [filter({ pattern: '[z-a]' })] }, /does not compile/],
      [{ filters: [filter({ pattern: 'x'.repeat(MAX_FILTER_PATTERN_CHARS + 1) })] }, /pattern/],
      [{ filters: [filter({ pattern: '' })] }, /pattern/],
      [{ filters: [filter(), filter()] }, /filters\/1\/id "f1" is used twice/],
      [{ filters: [filter({ id: 'has space' })] }, /id/],
      [{ filters: [filter({ action: 'delete' as never })] }, /action/],
      [{ filters: [filter({ colour: 'chartreuse' as never })] }, /colour/],
      [{ filters: [filter({ flags: 'g' as never })] }, /flags/],
      [{ filters: [{ id: 'x', pattern: 'y', action: 'hide' }] }, /flags|colour|enabled/],
      [{ filters: Array.from({ length: MAX_FILTERS_PER_PORT + 1 }, (_, i) => filter({ id: `f${i}` })) }, /filters/],
      [{ filters: [filter()], surplus: 1 }, /unknown field "surplus"/],
      ['{"filters":', /not valid JSON/],
    ];
    for (const [body, reason] of refusals) {
      const answer = await put(srv, body);
      expect(answer.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      const { error, code } = answer.json<{ error: string; code: string }>();
      expect(error).toMatch(reason);
      if (typeof body !== 'string') expect(code).toBe('bad-request');
    }
    expect((await get(srv)).json<PortFilters>().filters).toEqual([filter()]);
    // 32 is allowed, and a pattern of exactly the longest length.
    const full = Array.from({ length: MAX_FILTERS_PER_PORT }, (_, i) => filter({ id: `f${i}`, pattern: i === 0 ? 'x'.repeat(MAX_FILTER_PATTERN_CHARS) : 'a+' }));
    expect((await put(srv, { filters: full })).status).toBe(200);
  });

  it('answers 404 for an unknown port and 405 for POST', async () => {
    const srv = await serve();
    expect((await get(srv, 'nope')).status).toBe(404);
    expect((await put(srv, { filters: [] }, 'nope')).status).toBe(404);
    const post = await request(srv.url, 'api/ports/d/filters', { method: 'POST', body: '{"filters":[]}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, PUT');
  });

  it('without a data directory keeps them in memory and says so', async () => {
    const srv = await serve({ capture: false });
    expect((await get(srv)).json<PortFilters>().persisted).toBe(false);
    const saved = await put(srv, { filters: [filter()] });
    expect(saved.status).toBe(200);
    expect(saved.json<PortFilters>()).toMatchObject({ persisted: false, filters: [filter()] });
    expect((await get(srv)).json<PortFilters>().filters).toEqual([filter()]);
  });

  it('a cross-site PUT is refused by the Origin check', async () => {
    const srv = await serve();
    const answer = await request(srv.url, 'api/ports/d/filters', { method: 'PUT', body: '{"filters":[]}', headers: { Origin: 'https://evil.example' } });
    expect(answer.status).toBe(403);
  });
});
