// The value types of the record layer: what a line becomes when it carries data.

import type { RecordFormat } from '../../wire/api.js';

/** Which parser recognised the line (defined with the API types, which carry it to the browser). */
export type { RecordFormat };

/** A record's values by field name (nested JSON keys joined with dots, array items by index: `a.b`, `x.0`). */
export type RecordFields = Record<string, number | string | boolean>;

/**
 * One line that carried data. `offset` and `timeMs` are the line's (its start offset, the arrival
 * of its first byte); `units` maps a field to its unit where the line gave one (Teleplot's `§unit`);
 * `deviceTimeMs` is a timestamp the device put in the line (Teleplot's `name:timestamp:value`),
 * kept as given: plots use the server's arrival time.
 */
export interface ParsedRecord {
  offset: number;
  timeMs: number;
  format: RecordFormat;
  fields: RecordFields;
  units?: Record<string, string>;
  deviceTimeMs?: Record<string, number>;
}

/** What a single-line parser returns: the fields (and units) or null when the line is not in its format. */
export interface LineValues {
  fields: RecordFields;
  units?: Record<string, string>;
  deviceTimeMs?: Record<string, number>;
}

/** Most fields taken from one line: 256, far above any sensor line, bounding the cost of a hostile one (a 4 KiB JSON array of zeros). */
export const MAX_FIELDS_PER_RECORD = 256;

/** Sets a field as an own property, even one named `__proto__` (plain assignment would change the prototype instead). */
export function setField(fields: RecordFields, name: string, value: number | string | boolean): void {
  Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
}
