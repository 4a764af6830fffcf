// Checks a request's query, headers and JSON body against the route's schema, the same schema the
// OpenAPI document prints, and turns the first violation into one human reason that names the
// field ("points must be an integer from 2 to 20000, got \"abc\"").
//
// Schemas are TypeBox (@sinclair/typebox): a TypeBox schema *is* a JSON Schema object (it prints
// as one, with no conversion step and no second copy for the document), its static types come from
// the same value (Static<typeof S>), and Value.Check/Errors validate at run time in pure JS with no
// dependencies and no code generation, which suits a Raspberry Pi. Zod and Valibot check their own
// schema objects and convert them to JSON Schema, a step where the document can say other than what
// is checked; Ajv checks JSON Schema but gives no static types and compiles validators to code.
import type { TSchema } from '@sinclair/typebox';
import { Value, type ValueError, ValueErrorType } from '@sinclair/typebox/value';

/** A checked input, or the reason it is refused. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** How a name is spoken of in a refusal: a query parameter, a header, or a field of a JSON body. */
export type InputKind = 'parameter' | 'header' | 'field';

/** Query parameters the access middleware reads; no route sees them. */
const ACCESS_PARAMETERS = new Set(['token', 'ticket']);

/**
 * The query as an object for `schema` (an object schema of parameters): the first value of each
 * parameter; integer parameters as numbers when they are written as one; array parameters split on
 * commas (OpenAPI's `form` style, not exploded). Anything else stays text, for the check to refuse.
 */
export function queryInput(schema: TSchema, params: URLSearchParams): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  const input: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    if (ACCESS_PARAMETERS.has(key)) continue;
    input[key] = fromText(properties[key], params.get(key)!);
  }
  return input;
}

/** Headers named by `schema`'s properties (their names as the document spells them), from `get` (Koa's ctx.get: '' when absent); an empty header counts as absent. */
export function headerInput(schema: TSchema, get: (name: string) => string): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, TSchema>)) {
    const text = get(name).trim();
    if (text !== '') input[name] = fromText(property, text);
  }
  return input;
}

function fromText(schema: TSchema | undefined, text: string): unknown {
  if (schema?.type === 'integer') return /^-?\d{1,16}$/.test(text) ? Number(text) : text;
  if (schema?.type === 'array') return text.split(',').map((item) => fromText(schema.items as TSchema, item));
  return text;
}

/** Checks `value` against `schema`; on success, with the schema's defaults filled in (a copy: `value` is not changed). */
export function checkInput<T>(schema: TSchema, value: unknown, kind: InputKind, rootName = 'body'): Checked<T> {
  const first = Value.Errors(schema, value).First();
  if (first === undefined) return { ok: true, value: Value.Default(schema, Value.Clone(value)) as T };
  return { ok: false, error: reasonFor(schema, first, kind, rootName) };
}

/** One violation as a sentence that names the field and says what it must be, in the schema's own words and numbers. */
export function reasonFor(root: TSchema, error: ValueError, kind: InputKind, rootName = 'body'): string {
  const segments = error.path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.type === ValueErrorType.ObjectAdditionalProperties)
    return `unknown ${kind} ${JSON.stringify(segments.join('.'))}`;
  // Walk to the failing value's schema and its parent; an array's item is spoken of as its list.
  let schema: TSchema = root;
  let parent: TSchema | null = null;
  const names: string[] = [];
  for (const segment of segments) {
    parent = schema;
    if (schema.type === 'array') schema = schema.items as TSchema;
    else {
      schema = ((schema.properties ?? {}) as Record<string, TSchema>)[segment] ?? schema;
      names.push(segment);
    }
  }
  if (error.type === ValueErrorType.ObjectRequiredProperty) return `${[...names].join('.') || rootName} is required`;
  const name = names.join('.') || rootName;
  const described = parent?.type === 'array' ? parent : schema;
  return `${name} must be ${mustBe(described, kind)}, got ${shown(error.value)}`;
}

/** What a value of `schema` is, in words: its `title` when it has one, else from its keywords. */
export function mustBe(schema: TSchema, kind: InputKind = 'field'): string {
  if (typeof schema.title === 'string') return schema.title;
  const choices = literalChoices(schema);
  if (choices) return `one of ${choices.join(', ')}`;
  switch (schema.type) {
    case 'integer':
      if (typeof schema.minimum === 'number' && typeof schema.maximum === 'number') return `an integer from ${schema.minimum} to ${schema.maximum}`;
      return schema.minimum === 0 ? 'a whole number' : 'an integer';
    case 'number':
      return 'a number';
    case 'string':
      return typeof schema.maxLength === 'number' ? `a string of at most ${schema.maxLength} characters` : 'a string';
    case 'boolean':
      return 'true or false';
    case 'array': {
      const items = schema.items as TSchema;
      const list = literalChoices(items)?.join(', ') ?? mustBe(items, kind);
      return kind === 'field' ? `an array of ${list}` : `a comma-separated list of ${list}`;
    }
    case 'object':
      return 'a JSON object';
    default:
      return 'valid';
  }
}

/** The values of a union of literals (TypeBox's Union of Literal: anyOf of const), or null. */
export function literalChoices(schema: TSchema): Array<string | number> | null {
  const anyOf = schema.anyOf as TSchema[] | undefined;
  if (!anyOf || !anyOf.every((s) => 'const' in s)) return null;
  return anyOf.map((s) => s.const as string | number);
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 59)}…"` : text;
}
