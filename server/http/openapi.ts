// Prints the route table as an OpenAPI 3.1 document: every path and method, its parameters, body
// and answers, with the very schemas the router checks requests against (TypeBox schemas are JSON
// Schema already; they are copied as JSON, with the named answers moved under components).
import type { TSchema } from '@sinclair/typebox';
import { TOKEN_COOKIE } from '../access/token.js';
import { PROTOCOL_VERSION } from '../wire/protocol.js';
import { API_SCHEMAS } from './api-schemas.js';
import type { ResponseDoc, Route } from './route-spec.js';

type Json = Record<string, unknown>;

const ERROR = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string): Json => ({ description, content: { 'application/json': { schema: ERROR } } });

/** The document for `routes`. */
export function openApiDocument(routes: readonly Route[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = route.path.replace(':id', '{id}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'serialdeck HTTP API',
      version: String(PROTOCOL_VERSION),
      description:
        'A web serial console and device data hub: the served serial ports, their capture, lines, records and series, and commands. ' +
        'The WebSocket side (/ws/ID) is described in docs/protocol.md. Errors are JSON {error, code?}.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(API_SCHEMAS).map(([name, schema]) => [name, toJsonSchema(schema, name)])),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The server token, for scripts: Authorization: Bearer TOKEN.' },
        cookie: { type: 'apiKey', in: 'cookie', name: TOKEN_COOKIE, description: 'Set when a page is first opened with ?token=.' },
        query: { type: 'apiKey', in: 'query', name: 'token', description: 'The token in the address: a GET of a page is redirected to drop it and set the cookie.' },
      },
    },
    // The empty requirement: a server on loopback without a token asks for none.
    security: [{ bearer: [] }, { cookie: [] }, { query: [] }, {}],
  };
}

function operation(route: Route): Json {
  const parameters: Json[] = [];
  if (route.path.includes(':id')) parameters.push({ name: 'id', in: 'path', required: true, description: 'The port id (see GET /api/ports).', schema: { type: 'string' } });
  for (const [place, schema] of [['query', route.query], ['header', route.headers]] as const) {
    if (!schema) continue;
    const required = new Set((schema.required ?? []) as string[]);
    for (const [name, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
      const json = toJsonSchema(property);
      const { description } = json;
      delete json.description;
      const parameter: Json = { name, in: place, required: required.has(name), schema: json };
      if (description !== undefined) parameter.description = description;
      if (json.type === 'array') Object.assign(parameter, { style: 'form', explode: false }); // a=x,y
      parameters.push(parameter);
    }
  }
  const op: Json = { operationId: operationId(route), summary: route.summary };
  if (route.description) op.description = route.description;
  if (parameters.length > 0) op.parameters = parameters;
  if (route.body?.kind === 'json')
    op.requestBody = { required: true, content: { 'application/json': { schema: toJsonSchema(route.body.schema) } }, description: `JSON, at most ${route.body.maxBytes} bytes.` };
  else if (route.body?.kind === 'raw')
    op.requestBody = {
      required: true,
      description: `${route.body.description} At most ${route.body.maxBytes} bytes.`,
      content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream', maxLength: route.body.maxBytes } } },
    };

  const responses: Record<string, Json> = {};
  for (const [status, doc] of Object.entries(route.responses)) responses[status] = response(doc);
  if (route.query || route.headers || route.body) responses['400'] ??= errorResponse('The request breaks a rule of its parameters or body; `error` says which and why.');
  if (route.body) responses['413'] ??= errorResponse(`The body is over ${route.body.maxBytes} bytes.`);
  if (route.path.includes(':id')) responses['404'] ??= errorResponse('No port has this id.');
  if (route.method !== 'GET') responses['403'] ??= errorResponse('The Origin is not allowed (a cross-site request), or the server is watch-only.');
  responses['401'] = errorResponse('A token is required (Authorization: Bearer TOKEN, the cookie, or ?token=).');
  op.responses = responses;
  return op;
}

function response(doc: ResponseDoc): Json {
  const out: Json = { description: doc.description };
  if (doc.schema) {
    const content: Json = { [doc.contentType ?? 'application/json']: { schema: toJsonSchema(doc.schema) } };
    for (const [type, schema] of Object.entries(doc.alternatives ?? {})) content[type] = { schema: toJsonSchema(schema) };
    out.content = content;
  }
  if (doc.headers) out.headers = Object.fromEntries(Object.entries(doc.headers).map(([name, h]) => [name, { description: h.description, schema: toJsonSchema(h.schema) }]));
  return out;
}

/** `getApiPortsIdEvents` style ids, from the method and path. */
function operationId(route: Route): string {
  const words = route.path.split('/').filter(Boolean).map((part) => (part === ':id' ? 'id' : part.replace(/\.json$/, '')));
  return route.method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/**
 * A TypeBox schema as plain JSON Schema (its symbols dropped by the JSON copy), with every named
 * schema inside it (one with a `$id` of API_SCHEMAS) replaced by a $ref to components; `self` is
 * the component being printed, which keeps its body.
 */
function toJsonSchema(schema: TSchema, self?: string): Json {
  const replace = (value: unknown, top: boolean): unknown => {
    if (Array.isArray(value)) return value.map((v) => replace(v, false));
    if (typeof value !== 'object' || value === null) return value;
    const node = value as Json;
    const id = node.$id;
    if (typeof id === 'string' && id in API_SCHEMAS && !(top && id === self)) return { $ref: `#/components/schemas/${id}` };
    const out: Json = {};
    for (const [key, v] of Object.entries(node)) if (key !== '$id') out[key] = replace(v, false);
    return out;
  };
  return replace(JSON.parse(JSON.stringify(schema)), true) as Json;
}
