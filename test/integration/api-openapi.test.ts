// GET /api/openapi.json through the whole server: the document passes a real OpenAPI 3.1 validator
// (@seriousme/openapi-schema-validator), names every route of the table, sits behind the same
// access rules as the rest of /api, and describes what the server really answers (each answer is
// checked against the document's own schema with Ajv). Requests the document forbids, made from the
// document itself (each parameter and body field just past its limits), are refused with 400 and a
// reason that names them.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../server/http/api-router.js';
import { request, type Answer } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { untilOpen } from './api-helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed document, walked by key

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function serve(input: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const srv = await startTestServer({ ports: [{ path: 'demo', name: 'd' }], ...input });
  cleanups.push(() => srv.close());
  await untilOpen(srv);
  return srv;
}

async function documentOf(srv: TestServer): Promise<Json> {
  const answer = await request(srv.url, 'api/openapi.json');
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  return answer.json<Json>();
}

/** Deadline of one refused request, in ms: a 400 is immediate; this only stops a wrongly accepted SSE request from hanging the test. */
const REFUSAL_DEADLINE_MS = 5000;

describe('GET /api/openapi.json', () => {
  let validator: Validator;
  beforeAll(() => {
    validator = new Validator();
  });

  it('is a valid OpenAPI 3.1 document with every route of the table', async () => {
    const srv = await serve();
    const doc = await documentOf(srv);
    const result = await validator.validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');

    const operations = Object.entries(doc.paths as Json).flatMap(([path, ops]) => Object.keys(ops as Json).map((method) => `${method.toUpperCase()} ${path}`));
    const routes = API_ROUTES.map((r) => `${r.method} ${r.path.replace(':id', '{id}')}`);
    expect(operations.sort()).toEqual(routes.sort());
    expect(routes).toContain('GET /api/openapi.json');
    for (const route of API_ROUTES) {
      const op = doc.paths[route.path.replace(':id', '{id}')][route.method.toLowerCase()] as Json;
      expect(op.responses['200'], route.path).toBeDefined();
      expect(op.responses['401'], route.path).toBeDefined();
      if (route.query || route.body) expect(op.responses['400'].content['application/json'].schema, route.path).toEqual({ $ref: '#/components/schemas/Error' });
    }
    // The limits are the server's own numbers, not copies.
    const series = doc.paths['/api/ports/{id}/series'].get.parameters.find((p: Json) => p.name === 'points');
    expect(series.schema).toMatchObject({ type: 'integer', minimum: 2, maximum: 20000, default: 1000 });
  });

  it('the validator is a real one: it refuses a broken document', async () => {
    const srv = await serve();
    const doc = await documentOf(srv);
    delete doc.info;
    expect((await validator.validate(doc)).valid).toBe(false);
    const other = await documentOf(srv);
    other.paths['/api/ports'].get.parameters = [{ name: 'x', in: 'nowhere' }];
    expect((await validator.validate(other)).valid).toBe(false);
  });

  it('needs the token like the rest of /api', async () => {
    const srv = await serve({ token: 'a-token-for-tests' });
    expect((await request(srv.url, 'api/openapi.json')).status).toBe(401);
    const answer = await request(srv.url, 'api/openapi.json', { headers: { Authorization: 'Bearer a-token-for-tests' } });
    expect(answer.status).toBe(200);
    expect(answer.json<Json>().openapi).toBe('3.1.0');
  });

  it('describes what the server answers: each answer fits its schema in the document', async () => {
    const srv = await serve();
    const doc = await documentOf(srv);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc, 'api');
    const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
    const fits = (method: string, path: string, answer: Answer): void => {
      const schemaRef = `api#/${pointer('paths', path, method, 'responses', String(answer.status), 'content', 'application/json', 'schema')}`;
      const validate = ajv.getSchema(schemaRef) ?? ajv.compile({ $ref: schemaRef });
      const body = answer.json();
      expect(validate(body), `${method} ${path} ${answer.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`).toBe(true);
    };
    const post = (path: string, body: string) => request(srv.url, path, { method: 'POST', body });

    fits('get', '/api/ports', await request(srv.url, 'api/ports'));
    fits('get', '/api/ports/{id}', await request(srv.url, 'api/ports/d'));
    fits('get', '/api/ports/{id}', await request(srv.url, 'api/ports/nope'));
    fits('get', '/api/devices', await request(srv.url, 'api/devices'));
    fits('get', '/api/status', await request(srv.url, 'api/status'));
    fits('post', '/api/ports/{id}/command', await post('api/ports/d/command', '{"type":"set-baud","baudRate":9600}'));
    fits('post', '/api/ports/{id}/command', await post('api/ports/d/command', '{"type":"set-baud","baudRate":0}'));
    fits('post', '/api/ports/{id}/write', await post('api/ports/d/write', '\n'));
    const sent = await post('api/ports/d/send', '{"line":"status","until":{"timeoutMs":2000}}');
    expect(sent.status).toBe(200);
    fits('post', '/api/ports/{id}/send', sent);
    fits('post', '/api/ports/{id}/send', await post('api/ports/d/send', '{"line":7}'));
    fits('get', '/api/ports/{id}/series', await request(srv.url, 'api/ports/d/series?points=100'));
    fits('get', '/api/ports/{id}/latest', await request(srv.url, 'api/ports/d/latest'));
    fits('get', '/api/ports/{id}/filters', await request(srv.url, 'api/ports/d/filters'));
    const filters = '{"filters":[{"id":"e","pattern":"err","flags":"i","action":"highlight","colour":"red","enabled":true}]}';
    fits('put', '/api/ports/{id}/filters', await request(srv.url, 'api/ports/d/filters', { method: 'PUT', body: filters }));
    fits('put', '/api/ports/{id}/filters', await request(srv.url, 'api/ports/d/filters', { method: 'PUT', body: '{"filters":[{"id":"e","pattern":"(","flags":"","action":"hide","colour":"red","enabled":true}]}' }));
    fits('get', '/api/ports/{id}/download', await request(srv.url, 'api/ports/d/download?format=csv'));
    fits('get', '/api/ports/{id}/events', await request(srv.url, 'api/ports/d/events?types=all'));
    const download = await request(srv.url, 'api/ports/d/download?format=ndjson&last=60');
    expect(download.status).toBe(200);
    expect(Object.keys(doc.paths['/api/ports/{id}/download'].get.responses['200'].content)).toContain(download.headers.get('content-type'));
  });

  it('refuses with 400 and a reason what the document forbids, for every parameter and body field', async () => {
    const srv = await serve();
    const doc = await documentOf(srv);
    const cases: Array<{ what: string; path: string; init?: RequestInit; names: string[] }> = [];
    for (const [template, ops] of Object.entries(doc.paths as Json)) {
      const path = template.replace('{id}', 'd').slice(1);
      for (const [method, op] of Object.entries(ops as Json)) {
        for (const parameter of (op.parameters ?? []) as Json[]) {
          if (parameter.in === 'path') continue;
          for (const bad of badValues(parameter.schema, true)) {
            const text = String(bad);
            const init: RequestInit =
              parameter.in === 'header' ? { headers: { [parameter.name]: text } } : {};
            const url = parameter.in === 'query' ? `${path}?${new URLSearchParams({ [parameter.name]: text })}` : path;
            cases.push({ what: `${method} ${template} ${parameter.in} ${parameter.name}=${text}`, path: url, init: { ...init, method: method.toUpperCase() }, names: [parameter.name] });
          }
        }
        const body = op.requestBody?.content?.['application/json']?.schema as Json | undefined;
        if (!body) continue;
        const post = (value: unknown, names: string[], what: string) =>
          cases.push({ what: `${method} ${template} ${what}: ${JSON.stringify(value)}`, path, init: { method: method.toUpperCase(), body: JSON.stringify(value) }, names });
        post([], ['body', 'JSON object', 'not a JSON object'], 'not an object');
        for (const branch of (body.anyOf as Json[] | undefined) ?? [body]) {
          const properties: Json = { ...(branch.properties ?? {}), ...Object.assign({}, ...((branch.allOf ?? []) as Json[]).map((s) => s.properties ?? {})) };
          const base = validObject(properties, branch.required ?? branch.allOf?.[0]?.required ?? []);
          for (const [name, schema] of Object.entries(properties)) {
            for (const bad of badValues(schema)) post({ ...base, [name]: bad }, [name, ...(base.type ? [`${base.type}:`] : [])], name);
            for (const [inner, innerSchema] of Object.entries((schema.properties ?? {}) as Json))
              for (const bad of badValues(innerSchema)) post({ ...base, [name]: { [inner]: bad } }, [`${name}.${inner}`], `${name}.${inner}`);
          }
          if (branch.additionalProperties === false) post({ ...base, surplus: 1 }, ['unknown field "surplus"'], 'an unknown field');
        }
      }
    }
    expect(cases.length).toBeGreaterThan(60);
    const counted = new Set<string>();
    for (const c of cases) {
      const answer = await request(srv.url, c.path, { ...c.init, signal: AbortSignal.timeout(REFUSAL_DEADLINE_MS) });
      expect(answer.status, c.what).toBe(400);
      const { error, code } = answer.json<{ error: string; code?: string }>();
      expect(code, c.what).toBe('bad-request');
      expect(c.names.some((name) => error.includes(name)), `${c.what}: ${error}`).toBe(true);
      counted.add(c.what.split(' ').slice(0, 2).join(' '));
    }
    // Every operation that takes input got refusals.
    expect([...counted].sort()).toEqual(
      ['get /api/audit', 'get /api/ports/{id}/writes', 'get /api/ports/{id}/download', 'get /api/ports/{id}/events', 'get /api/ports/{id}/series', 'post /api/ports/{id}/command', 'post /api/ports/{id}/send', 'put /api/ports/{id}/filters'].sort(),
    );
  });
});

/** Values a schema refuses, from its own keywords: past each bound, the wrong type, a value off its list; `asText`: for a query or header, where every value is text. */
function badValues(schema: Json, asText = false): unknown[] {
  const bad: unknown[] = [];
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((s: Json) => 'const' in s)) return typeof schema.anyOf[0].const === 'number' ? [-7, 'x'] : ['bogus', 3];
  if (schema.type === 'integer') {
    if (typeof schema.minimum === 'number') bad.push(schema.minimum - 1);
    if (typeof schema.maximum === 'number' && schema.maximum < Number.MAX_SAFE_INTEGER) bad.push(schema.maximum + 1);
    bad.push('abc');
  }
  if (schema.type === 'string') {
    if (!asText) bad.push(5);
    if (typeof schema.maxLength === 'number') bad.push('x'.repeat(schema.maxLength + 1));
    if (typeof schema.pattern === 'string') bad.push(['!', ' ', 'a\nb'].find((t) => !new RegExp(schema.pattern).test(t)));
  }
  if (schema.type === 'array') bad.push(...badValues(schema.items, asText).filter((v) => typeof v === 'string'));
  if (schema.type === 'boolean') bad.push('yes');
  if (schema.type === 'object') bad.push(3);
  return bad.filter((v) => v !== undefined);
}

/** A value of each required property that its schema accepts: the smallest number, the first choice. */
function validObject(properties: Json, required: string[]): Json {
  const out: Json = {};
  for (const name of required) {
    const schema = properties[name] as Json;
    out[name] = 'const' in schema ? schema.const : schema.anyOf ? schema.anyOf[0].const : schema.type === 'integer' ? (schema.minimum ?? 0) : 'status';
  }
  return out;
}
