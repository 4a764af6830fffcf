// A line holding one JSON object (seed 000: `{"temp":21.4,"humidity":40,"ppm":412,"pressure":101325}`)
// becomes fields, nested keys flattened with dots and array items by index. Parsed with JSON.parse:
// no library needed for this.
import { MAX_FIELDS_PER_RECORD, setField, type LineValues, type RecordFields } from './record-types.js';

/** The fields of a line that is a JSON object (whitespace around it allowed), else null. Nulls are dropped; an object with no values is not a record. */
export function parseJsonLine(line: string): LineValues | null {
  const text = line.trim();
  if (text.length < 2 || text.charCodeAt(0) !== 0x7b /* { */ || text.charCodeAt(text.length - 1) !== 0x7d /* } */) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const fields: RecordFields = {};
  const count = flatten(value, '', fields, 0);
  return count > 0 ? { fields } : null;
}

/** Copies the leaves of `value` into `fields` under `prefix`; returns how many fields there are now (stops at the cap). */
function flatten(value: object, prefix: string, fields: RecordFields, count: number): number {
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((item, i) => [String(i), item]) : Object.entries(value);
  for (const [key, item] of entries) {
    if (count >= MAX_FIELDS_PER_RECORD) return count;
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof item === 'number' || typeof item === 'string' || typeof item === 'boolean') {
      setField(fields, name, item);
      count++;
    } else if (typeof item === 'object' && item !== null) count = flatten(item, name, fields, count);
  }
  return count;
}
