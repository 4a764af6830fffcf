// Small TypeBox builders shared by the API's schemas.
import { Type, type SchemaOptions, type TLiteral, type TUnion } from '@sinclair/typebox';

/** One of a list of literal values (a `const` array from server/wire): printed as anyOf of const, checked as such. */
export function literals<const T extends readonly (string | number)[]>(values: T, options: SchemaOptions = {}): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(values.map((value) => Type.Literal(value)), options) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;
}

/** A stream offset: a whole number, at most 2^53 - 1 (offsets are JSON numbers). */
export function streamOffset(options: SchemaOptions = {}) {
  return Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, title: 'a stream offset (a whole number)', ...options });
}

/** A time: ISO 8601 (starting with its date) or ms since the epoch; parsed by parseTime. */
export function timeText(options: SchemaOptions = {}) {
  return Type.String({ title: 'an ISO 8601 time or ms since the epoch', pattern: '^(\\d{1,15}|\\d{4}-\\d\\d-\\d\\d.*)$', examples: ['2025-11-30T10:00:00Z', '1764496800000'], ...options });
}

/** A time written as timeText accepts, in ms since the epoch; NaN when it names no time (a date like 2025-13-45). */
export function parseTime(text: string): number {
  return /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
}
