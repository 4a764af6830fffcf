// The Arduino IDE 2 serial plotter's line format, as its parser (arduino-serial-plotter-webapp,
// src/msgAggregatorWorker.ts) reads it: parts separated by runs of spaces, tabs or commas; if the
// line has a ':' after its first character, parts are `label:value`, else they are bare values
// named `value 1` .. `value n` by position (the IDE's own names, so a plot looks the same here).
//
// Stricter than the IDE, which plots anything parseFloat accepts (and NaN for the rest): here every
// part must be a number or `label:number`, else the line stays text, so a log line such as
// `Temperature (DHT): 21.4 °C` is not mistaken for data. Looser in one way: spaces after the colon
// (`temp: 21.4, hum: 40`) are allowed, a common way sketches print that the IDE silently drops.
import { parseNumberToken } from './number-text.js';
import { MAX_FIELDS_PER_RECORD, setField, type LineValues, type RecordFields } from './record-types.js';

const PART_SEPARATORS = /[, \t]+/;
const SPACE_AFTER_COLON = /:[ \t]+/g;

/** The fields of an Arduino plotter line, else null. */
export function parsePlotterLine(line: string): LineValues | null {
  const text = line.trim();
  if (text.length === 0) return null;
  const labelled = text.indexOf(':') > 0;
  const parts = (labelled ? text.replace(SPACE_AFTER_COLON, ':') : text).split(PART_SEPARATORS);
  if (parts.length > MAX_FIELDS_PER_RECORD) return null;
  const fields: RecordFields = {};
  let count = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.length === 0) continue;
    let name: string;
    let valueText: string;
    if (labelled) {
      const colon = part.indexOf(':');
      if (colon <= 0) return null;
      name = part.slice(0, colon);
      valueText = part.slice(colon + 1);
    } else {
      name = `value ${i + 1}`;
      valueText = part;
    }
    const value = parseNumberToken(valueText);
    if (value === null) return null;
    setField(fields, name, value);
    count++;
  }
  return count > 0 ? { fields } : null;
}
