// Malformed HTTP for the fuzzing tests: fast-check arbitraries for requests to every route of the API
// table (and to the page), sent with Node's client; raw bytes that no HTTP client would send, over a
// net.Socket; and the judge that says whether the answer is one the docs promise (docs/protocol.md,
// "HTTP API"): a 4xx with a JSON `{ error }` for anything the client got wrong, never a 500, never silence.
import fc from 'fast-check';
import { Agent, METHODS as NODE_METHODS, request } from 'node:http';
import { connect } from 'node:net';
import type { TSchema } from '@sinclair/typebox';
import { API_ROUTES } from '../../server/http/api-router.js';
import { decodePortCommand } from '../../server/wire/protocol.js';
import type { Route } from '../../server/http/route-spec.js';
import { within } from './fuzz-common.js';

/** One request as the fuzzer builds it. `clean` requests pass the access rules, so the judge knows more exactly what they must get. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  /** The route it aims at, when it aims at one (for the judge). */
  route: Route | null;
  /** Loopback Host, no credentials, no foreign Origin: the access rules let it through. */
  clean: boolean;
}

/** What came back. */
export interface FuzzAnswer {
  /** 0 when the connection was reset before an answer came. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, or its first bytes for a stream (SSE) or a large download. */
  body: string;
}

/** Printable ASCII, the only text Node's client lets into a header value. */
const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

/** Text people and fuzzers both throw at parsers: numbers at the edges, odd encodings, long runs. */
const nastyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom('', '0', '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', '9007199254740993', '0x10', '１２', '%', '%zz', '%E0%A4%A', '%00', '\u0000', '..', '../..', 'a,b,,c', ',', 'line,record', ' 5 ') },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.nat(5000).map((n) => 'x'.repeat(n)) },
);

/** A port id: the demo's, an unknown one, or something that is not an id at all (percent-encoded as a browser would, or not). */
const portIdSegment = fc.oneof(
  { weight: 6, arbitrary: fc.constant('demo') },
  { weight: 1, arbitrary: fc.constantFrom('nope', 'DEMO', '%64emo', '%zz', '%E0%A4%A', '..', '%2e%2e', '%2F', 'demo%00', 'a'.repeat(300)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(encodeURIComponent) },
);

function routePath(route: Route, id: string): string {
  return route.path.replace(':id', id);
}

/** A path: mostly a route's, else a near miss, a made-up API path, or the page and its files (path traversal included). */
function pathArb(): fc.Arbitrary<{ path: string; route: Route | null }> {
  const route = fc.constantFrom(...API_ROUTES);
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(route, portIdSegment).map(([r, id]) => ({ path: routePath(r, id), route: r })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(route, fc.constantFrom('/', '//', '/x', '.json', '%20', '/..', ';a=b'))
        .map(([r, tail]) => ({ path: routePath(r, 'demo') + tail, route: null })),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof(fc.constantFrom('api', 'ports', 'demo', 'ws', '..', '%2e%2e', ''), fc.string({ maxLength: 12 }).map(encodeURIComponent)), { maxLength: 6 })
        .map((segments) => ({ path: `/api/${segments.join('/')}`, route: null })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('/', '/index.html', '/assets/', '/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%00', '/favicon.ico', '/index.html%00.js', '/.git/config', '//etc/passwd', '/\\..\\..\\windows')
        .map((path) => ({ path, route: null })),
    },
  );
}

/** Query parameters: the route's own names with bad values, unknown names, access names, and broken encodings. */
function queryArb(route: Route | null): fc.Arbitrary<string> {
  const known = Object.keys(((route?.query as TSchema | undefined)?.properties ?? {}) as Record<string, unknown>);
  const names = fc.oneof(
    { weight: known.length > 0 ? 4 : 0, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant('x') },
    { weight: 1, arbitrary: fc.constantFrom('token', 'ticket', 'lastEventId', 'offset', 'stream', 'mode', '__proto__', 'constructor', 'a[b]', '') },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  );
  const pair = fc.tuple(names, nastyText).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const raw = fc.constantFrom('%', '%zz', 'a=%E0%A4%A', '&&&', '==', 'a=1&a=2', 'points=5&points=x', '?', '#frag');
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    { weight: 5, arbitrary: fc.array(pair, { minLength: 1, maxLength: 4 }).map((pairs) => `?${pairs.join('&')}`) },
    { weight: 1, arbitrary: raw.map((q) => `?${q}`) },
  );
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

function methodArb(route: Route | null): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: route ? 6 : 0, arbitrary: fc.constant(route?.method ?? 'GET') },
    { weight: 3, arbitrary: fc.constantFrom(...METHODS) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/).filter((m) => m !== 'CONNECT') },
  );
}

/** Commands as the WebSocket and POST /command take them, each made slightly wrong (or, sometimes, left right). */
export const almostCommand: fc.Arbitrary<unknown> = (() => {
  const valid = fc.oneof(
    fc.record({ type: fc.constant('set-baud'), baudRate: fc.constantFrom(9600, 115200) }),
    fc.record({ type: fc.constant('set-signals'), dtr: fc.boolean(), rts: fc.boolean() }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constant('reset'), ms: fc.integer({ min: 1, max: 50 }) }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constant('set-pacing'), charDelayMs: fc.constant(0), lineDelayMs: fc.constant(0) }),
    fc.record({ type: fc.constant('set-framing'), dataBits: fc.constantFrom(7, 8), parity: fc.constantFrom('none', 'even'), stopBits: fc.constantFrom(1, 2), flow: fc.constant('none') }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constant('send-break'), ms: fc.integer({ min: 1, max: 50 }) }),
    fc.constant({ type: 'reclaim' }),
    fc.record({ type: fc.constant('ack'), offset: fc.nat() }),
  );
  const badValue = fc.oneof(
    fc.constantFrom(null, true, false, '', '9600', -1, 0, 1.5, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, 1e308, 20_000_001, 3_600_001, 999, [], {}, [1]),
    fc.string({ maxLength: 20 }),
    fc.integer(),
  );
  const fieldNames = fc.constantFrom('type', 'baudRate', 'dtr', 'rts', 'ms', 'charDelayMs', 'lineDelayMs', 'dataBits', 'parity', 'stopBits', 'flow', 'forMs', 'id', 'offset', '__proto__', 'constructor');
  const types = fc.constantFrom('set-baud', 'set-signals', 'reset', 'set-pacing', 'reopen', 'set-framing', 'send-break', 'release', 'reclaim', 'ack', 'SET-BAUD', 'set_baud', '', 'hello', 'write');
  const mutate = fc.tuple(valid, fc.array(fc.tuple(fieldNames, fc.oneof(badValue, types)), { minLength: 1, maxLength: 3 }), fc.boolean()).map(
    ([command, changes, drop]) => {
      const copy: Record<string, unknown> = { ...(command as Record<string, unknown>) };
      for (const [name, value] of changes) {
        if (drop && name !== 'type') delete copy[name];
        else Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
      }
      return copy;
    },
  );
  const withId = (arb: fc.Arbitrary<unknown>) =>
    fc.tuple(arb, fc.option(fc.oneof(fc.nat(2 ** 40), badValue), { nil: undefined })).map(([command, id]) =>
      id === undefined || typeof command !== 'object' || command === null || Array.isArray(command) ? command : { ...(command as object), id },
    );
  return fc
    .oneof({ weight: 1, arbitrary: withId(valid) }, { weight: 6, arbitrary: withId(mutate) }, { weight: 1, arbitrary: fc.oneof(fc.jsonValue(), badValue) })
    .filter((value) => !slowsThePort(value));
})();

/**
 * True for a valid command that would slow every later case down without being wrong: pacing (a second
 * per byte makes each later write wait minutes, which would read as a hang), a release (the port is
 * closed for a minute), and a reset pulse or break of more than SLOW_PULSE_MS (the port's worker is busy
 * for up to 5 s meanwhile). Mutation makes them now and then; the fuzz is of bad input, so they are left out.
 */
export function slowsThePort(value: unknown): boolean {
  const decoded = decodePortCommand(value);
  if (!decoded.ok) return false;
  const command = decoded.message;
  if (command.type === 'release') return true;
  if (command.type === 'set-pacing') return command.charDelayMs > 0 || command.lineDelayMs > 0;
  if (command.type === 'reset' || command.type === 'send-break') return (command.ms ?? 250) > SLOW_PULSE_MS;
  return false;
}

/** Longest reset pulse or break the fuzzer sends, in ms (the default break, 250 ms, is over it). */
const SLOW_PULSE_MS = 100;

/** Bodies of POST /send and PUT /filters, slightly wrong. */
const almostSend = fc.oneof(
  fc.record(
    {
      line: fc.oneof(fc.constantFrom('status', 'help', 'led on', '', 'a\nb', 'x'.repeat(4097), '\u00e9'.repeat(2049)), fc.string({ maxLength: 30 })),
      ending: fc.oneof(fc.constantFrom('lf', 'cr', 'crlf', 'none', 'LF', ''), fc.integer()),
      until: fc.oneof(
        // Always a short timeout: a reply that waits for a prompt the demo never prints would hold the case for the default 5 s.
        fc.record({ quietMs: fc.integer({ min: -5, max: 200 }), timeoutMs: fc.integer({ min: -5, max: 300 }), prompt: fc.oneof(fc.constantFrom('> ', ' ', ''), fc.string({ maxLength: 5 })) }, { requiredKeys: ['timeoutMs'] }),
        fc.jsonValue(),
      ),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);
const almostFilters = fc.oneof(
  fc.record({
    filters: fc.array(
      fc.record(
        {
          id: fc.oneof(fc.constantFrom('a', 'errors', '', 'A B'), fc.string({ maxLength: 8 })),
          pattern: fc.oneof(fc.constantFrom('error|fail', '(', '[', '(a+)+$', '\\', '.*'), fc.string({ maxLength: 10 })),
          flags: fc.oneof(fc.constantFrom('i', 'g', 'y', 'ii', 'x', ''), fc.string({ maxLength: 3 })),
          action: fc.oneof(fc.constantFrom('hide', 'show-only', 'highlight', 'delete'), fc.string({ maxLength: 8 })),
          colour: fc.oneof(fc.constantFrom('red', 'green', '#fff', 'chartreuse'), fc.string({ maxLength: 8 })),
          enabled: fc.oneof(fc.boolean(), fc.constantFrom(0, 'true', null)),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 4 },
    ),
  }),
  fc.jsonValue(),
);

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value) ?? 'undefined');

/** A body for `route`: its kind of JSON almost right, random bytes, text that is not JSON, or just over its size limit. */
function bodyArb(route: Route | null): fc.Arbitrary<Uint8Array | null> {
  const maxBytes = route?.body?.maxBytes ?? 4096;
  const json =
    route?.path.endsWith('/command')
      ? almostCommand
      : route?.path.endsWith('/send')
        ? almostSend
        : route?.path.endsWith('/filters')
          ? almostFilters
          : fc.jsonValue();
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 6, arbitrary: json.map(encode) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"type":', '[1,2', '\u0000', '{"a":1}{"b":2}', '\ufeff{}', 'null', '"str"', '1e999').map((t) => new TextEncoder().encode(t)) },
    // Just past the limit (up to 4 KiB more): the limit is what is tested, not the loopback's bandwidth.
    { weight: 1, arbitrary: fc.nat(4096).map((extra) => new Uint8Array(maxBytes + 1 + extra).fill(0x7b)) },
  );
}

/** Headers: clean (none that matter) or dirty (credentials, a foreign Host or Origin, odd content types, a bad Last-Event-ID). */
function headersArb(port: number): fc.Arbitrary<{ headers: Record<string, string>; clean: boolean }> {
  const own = `127.0.0.1:${port}`;
  const cleanHeaders = fc.record(
    {
      'content-type': fc.constantFrom('application/json', 'application/octet-stream', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', ''),
      accept: fc.constantFrom('*/*', 'text/event-stream', 'application/json', 'text/html'),
      'last-event-id': fc.oneof(fc.constantFrom('', '0', '-1', '12', 'abc', '1:2', '99999999999999999999'), printable(30)),
      'x-fuzz': printable(60),
      origin: fc.constant(`http://${own}`),
    },
    { requiredKeys: [] },
  );
  const dirty = fc.record(
    {
      host: fc.oneof(fc.constantFrom('evil.example', `localhost:${port}`, '[::1]', '127.0.0.1.evil.example', ''), printable(30)),
      origin: fc.oneof(fc.constantFrom('http://evil.example', 'null', `http://${own}`, 'file://', ''), printable(30)),
      authorization: fc.oneof(fc.constantFrom('Bearer ', 'Bearer x', 'bearer    ', 'Basic YTpi', 'Bearer ' + 'a'.repeat(5000)), printable(40)),
      cookie: fc.oneof(fc.constantFrom('serialdeck_token=', 'serialdeck_token=abc', 'serialdeck_token=%zz', '=;=;', 'a=b; serialdeck_token'), printable(40)),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 4, arbitrary: cleanHeaders.map((headers) => ({ headers, clean: true })) },
    { weight: 1, arbitrary: fc.tuple(cleanHeaders, dirty).map(([a, b]) => ({ headers: { ...a, ...b }, clean: Object.keys(b).length === 0 })) },
  );
}

/** Requests against the server on `port`, aimed mostly at the routes of API_ROUTES. */
export function fuzzRequestArb(port: number): fc.Arbitrary<FuzzRequest> {
  return pathArb().chain(({ path, route }) =>
    fc.record({ method: methodArb(route), query: queryArb(route), body: bodyArb(route), headers: headersArb(port) }).map(({ method, query, body, headers }) => ({
      // Shown short when a case fails (fast-check would print the route's handler and every byte of the body).
      [fc.toStringMethod]() {
        return `${this.method} ${this.path} ${JSON.stringify(this.headers)} body ${describeBody(this.body)}${this.clean ? ' (clean)' : ''}`;
      },
      method,
      path: path + query,
      headers: headers.headers,
      // Credentials in the query are access input too (a wrong token is refused, and counts towards the lockout).
      clean: headers.clean && !['token', 'ticket'].some((name) => new URLSearchParams(query.slice(1)).has(name)),
      body: method === 'GET' || method === 'HEAD' ? (body && body.byteLength > 0 && body.byteLength < 64 ? body : null) : body,
      route,
    })),
  );
}

function describeBody(body: Uint8Array | null): string {
  if (!body) return 'none';
  const text = Buffer.from(body.subarray(0, 200)).toString('latin1');
  return `${body.byteLength} bytes ${JSON.stringify(text)}${body.byteLength > 200 ? '…' : ''}`;
}

/** Longest wait for one answer, in ms: a send waits up to its reply's timeout (the fuzzer keeps those short); anything longer is a hang. */
export const ANSWER_TIMEOUT_MS = 15_000;
/** Bytes read of a streaming or large answer before hanging up: enough to judge its start. */
const READ_CAP_BYTES = 64 * 1024;

/** Sends `req` over `agent` (keep-alive, as scripts do) and reads its answer, at most READ_CAP_BYTES of it. */
export function send(baseUrl: string, agent: Agent, req: FuzzRequest): Promise<FuzzAnswer> {
  const url = new URL(baseUrl);
  const work = new Promise<FuzzAnswer>((resolve, reject) => {
    const headers: Record<string, string> = { host: url.host, ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.byteLength);
    const r = request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (): void =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.byteLength;
        // An event stream never ends, and a download may be large: judge by what came first.
        if (size >= READ_CAP_BYTES || String(res.headers['content-type']).startsWith('text/event-stream')) {
          res.destroy();
          done();
        }
      });
      res.on('end', done);
      res.on('error', () => done());
      if (req.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304) res.resume();
      // SSE sends its headers before any event: judge by them.
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.destroy();
        done();
      }
    });
    r.on('error', (error: NodeJS.ErrnoException) => {
      // Status 0: the server cut the connection before answering (the judge says when that is allowed).
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ status: 0, headers: {}, body: error.code });
      else reject(error);
    });
    r.end(req.body ?? undefined);
  });
  return within(ANSWER_TIMEOUT_MS, `${req.method} ${req.path.slice(0, 80)}`, work);
}

/** Statuses the API documents (docs/protocol.md): success, the token trade's redirect, and the refusals. */
const API_STATUSES = new Set([200, 303, 400, 401, 403, 404, 405, 409, 413, 429, 502, 503]);
/** Statuses the page and its files may answer with (koa-static: 403 for a path outside, 400 for a NUL; 503 when the client is not built). */
const PAGE_STATUSES = new Set([200, 204, 303, 304, 400, 401, 403, 404, 405, 412, 416, 429, 503]);

/** Why `answer` is not what the docs promise for `req`, or null when it is. */
export function judge(req: FuzzRequest, answer: FuzzAnswer): string | null {
  const { status } = answer;
  const path = req.path.split('?')[0]!;
  if (status >= 500 && status !== 502 && status !== 503) return `server error ${status}: ${answer.body.slice(0, 200)}`;
  // Node's parser knows a fixed list of methods and answers any other with a bare 400 before the app sees it,
  // then closes: a client still sending its body sees the connection reset instead (status 0).
  if (!NODE_METHODS.includes(req.method)) return (status === 400 && answer.body === '') || status === 0 ? null : `unknown method ${req.method}: ${status}`;
  if (status === 0) return `the connection was cut (${answer.body}) before an answer`;
  if (!path.startsWith('/api/')) return PAGE_STATUSES.has(status) ? null : `page answered ${status}`;
  if (!API_STATUSES.has(status)) return `API answered ${status}, not a documented status`;
  if (status >= 400 && req.method !== 'HEAD') {
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return `API ${status} without a JSON body: ${JSON.stringify(answer.body.slice(0, 100))}`;
    }
    const error = (body as { error?: unknown } | null)?.error;
    if (typeof error !== 'string' || error.trim() === '') return `API ${status} without an error message: ${answer.body.slice(0, 100)}`;
  }
  if (status === 405 && !answer.headers.allow) return '405 without an Allow header';
  if (status === 429 && !answer.headers['retry-after']) return '429 without Retry-After';
  if (!req.clean) return null;
  // A clean request passes access: what it gets follows from its path, method and input alone.
  if (status === 401 || status === 403 || status === 429) return `a clean request was refused access (${status}): ${answer.body.slice(0, 100)}`;
  const matches = API_ROUTES.filter((route) => routeMatches(route.path, path));
  if (matches.length === 0) return status === 404 ? null : `no route for ${path}, yet ${status}`;
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (!matches.some((route) => route.method === method)) return status === 405 || status === 404 ? null : `${req.method} on ${path}: ${status}, not 405`;
  const route = matches.find((r) => r.method === method)!;
  const maxBytes = route.body?.maxBytes;
  if (maxBytes !== undefined && (req.body?.byteLength ?? 0) > maxBytes && status !== 413 && status !== 400 && status !== 404)
    return `body of ${req.body?.byteLength} bytes over ${maxBytes}, yet ${status}`;
  if (status === 400 && req.method !== 'HEAD' && route.body === undefined && !route.query && !route.headers)
    return `400 from ${route.method} ${route.path}, which takes no input`;
  return null;
}

function routeMatches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  return want.length === got.length && want.every((segment, i) => segment === ':id' ? got[i] !== '' : segment === got[i]);
}

/** Raw request bytes no client library would send: broken request lines, headers, framing, sizes; and upgrades gone wrong. */
export const rawRequestArb: fc.Arbitrary<Uint8Array> = (() => {
  const line = fc.oneof(
    fc.constantFrom(
      'GET / HTTP/1.1', 'GET /api/ports HTTP/1.1', 'POST /api/ports/demo/write HTTP/1.1', 'GET /ws HTTP/1.1', 'GET /ws/demo HTTP/1.1',
      'GET / HTTP/1.0', 'GET /', 'GET / HTTP/2.0', 'GET / HTTP/9.9', 'get / http/1.1', 'G\u0000ET / HTTP/1.1', ' / HTTP/1.1', 'GET  HTTP/1.1',
      'GET /\u00ff HTTP/1.1', 'CONNECT 127.0.0.1:1 HTTP/1.1', 'PRI * HTTP/2.0', 'GET * HTTP/1.1', 'OPTIONS * HTTP/1.1', 'GET http://evil.example/ HTTP/1.1',
    ),
    fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'XYZ'), fc.nat(20_000)).map(([m, n]) => `${m} /${'a'.repeat(n)} HTTP/1.1`),
    fc.string({ maxLength: 40 }),
  );
  const header = fc.oneof(
    fc.constantFrom(
      'Host: 127.0.0.1', 'Host: evil.example', 'Content-Length: 5', 'Content-Length: -1', 'Content-Length: 99999999999999999999', 'Content-Length: 5, 6',
      'Content-Length: 1\r\nContent-Length: 2', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked\r\nContent-Length: 3',
      'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Key: short', 'Sec-WebSocket-Protocol: a,,b', 'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=99',
      'Expect: 100-continue', 'Expect: nonsense', 'No-Colon-Here', ': empty-name', 'Bad Name: x', ' Folded: continuation', '\tobs-fold', 'X: \u0000', 'X: \u00e9\u00ff',
      'Authorization: Bearer x', 'Cookie: serialdeck_token=' + 'z'.repeat(100), 'Origin: http://evil.example', 'Last-Event-ID: abc',
    ),
    fc.nat(20_000).map((n) => `X-Big: ${'b'.repeat(n)}`),
    fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), fc.string({ maxLength: 40 })).map(([n, v]) => `${n}: ${v}`),
  );
  const body = fc.oneof(
    fc.constant(''),
    fc.constantFrom('hello', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\nx\r\n', '5\r\nhel', 'ffffffffffffffff\r\n', '0\r\n\r\n', '{"type":"reset"}'),
    fc.string({ maxLength: 100 }),
  );
  const ending = fc.constantFrom('\r\n', '\n', '\r');
  return fc
    .tuple(line, fc.array(header, { maxLength: 8 }), body, ending, fc.boolean())
    .map(([first, headers, payload, eol, finish]) => {
      const text = [first, ...headers].join(eol) + (finish ? `${eol}${eol}` : eol) + payload;
      return new Uint8Array(Buffer.from(text, 'latin1'));
    });
})();

/**
 * Sends `bytes` on a fresh connection and half-closes it; resolves with what the server wrote before
 * closing. Rejects (a hang) if the server neither answers nor closes within `ms`.
 */
export function sendRaw(port: number, bytes: Uint8Array, ms = ANSWER_TIMEOUT_MS): Promise<string> {
  const work = new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      // An upgrade that succeeded, or a stream: the start is all the judge needs.
      if (answer.length > READ_CAP_BYTES) socket.destroy();
    });
    socket.on('error', () => {}); // a reset is one way of closing; 'close' follows
    socket.on('close', () => resolve(answer));
    socket.end(bytes);
  });
  return within(ms, 'a raw request', work);
}

/** Why the server's raw answer is wrong, or null: each answer it wrote must be an HTTP status line (no 500), or a WebSocket handshake. */
export function judgeRaw(answer: string): string | null {
  if (answer === '') return null; // closed without a word: what Node does with bytes that are not HTTP at all
  const statuses = [...answer.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
  if (!answer.startsWith('HTTP/1.1 ') && !answer.startsWith('HTTP/1.0 ')) return `answer is not HTTP: ${JSON.stringify(answer.slice(0, 80))}`;
  const bad = statuses.find((s) => s >= 500 && s !== 502 && s !== 503);
  return bad === undefined ? null : `server error ${bad}: ${JSON.stringify(answer.slice(0, 200))}`;
}
