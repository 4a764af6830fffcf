// Teleplot's serial format, as teleplot's parseDataText reads a line from a serial port: a line
// starting with `>` is a telemetry `>name:value`, `>name:timestamp:value` (device ms), several
// samples separated by `;`, then optionally `§unit` and `|flags` (`t`: text value, `xy`: an x,y
// point, `np`/`clr`: display hints, ignored here). `>name,widget:…` names a widget: the name is
// the part before the comma. Lines whose name is empty (`>:log text`, Teleplot's log lines) or
// `3D|…`/image telemetries are not records here. Also accepted, as the VS Code "Serial Plotter"
// extension prints it: several `name:value` pairs on one line, `>a:1,b:2`.
import { parseNumberToken } from './number-text.js';
import { MAX_FIELDS_PER_RECORD, setField, type LineValues, type RecordFields } from './record-types.js';

/** The fields of a Teleplot line, else null. With several samples of one name the last is kept (a record holds one value per field). */
export function parseTeleplotLine(line: string): LineValues | null {
  const text = line.trim();
  if (text.length < 4 || text.charCodeAt(0) !== 0x3e /* > */) return null;
  const body = text.slice(1);
  return parseTelemetry(body) ?? parsePairs(body);
}

function parseTelemetry(body: string): LineValues | null {
  const colon = body.indexOf(':');
  if (colon <= 0) return null;
  const name = body.slice(0, colon).split(',')[0]!.trim();
  if (name.length === 0 || name.includes('|')) return null;
  let rest = body.slice(colon + 1);
  let flags = '';
  const bar = rest.lastIndexOf('|');
  if (bar >= 0) {
    flags = rest.slice(bar + 1);
    rest = rest.slice(0, bar);
  }
  let unit: string | undefined;
  const section = rest.indexOf('§');
  if (section >= 0) {
    unit = rest.slice(section + 1).trim();
    rest = rest.slice(0, section);
  }
  const isText = flags.includes('t');
  const isXY = !flags.includes('xyz') && flags.includes('xy');
  const samples = rest.split(';').filter((sample) => sample.length > 0);
  if (samples.length === 0) return null;
  const last = samples[samples.length - 1]!.split(':');
  const fields: RecordFields = {};
  let deviceTimeMs: number | undefined;
  if (isXY) {
    if (last.length < 2 || last.length > 3) return null;
    const x = parseNumberToken(last[0]!.trim());
    const y = parseNumberToken(last[1]!.trim());
    if (x === null || y === null) return null;
    setField(fields, `${name}.x`, x);
    setField(fields, `${name}.y`, y);
    if (last.length === 3) deviceTimeMs = parseNumberToken(last[2]!.trim()) ?? undefined;
  } else {
    if (last.length > 2 && !isText) return null;
    // A text value may itself hold ':' after an optional timestamp: `state:1627551892437:On`.
    let valueText = last.join(':');
    if (last.length >= 2) {
      const stamp = parseNumberToken(last[0]!.trim());
      if (stamp !== null) {
        deviceTimeMs = stamp;
        valueText = last.slice(1).join(':');
      } else if (!isText) return null;
    }
    if (isText) setField(fields, name, valueText.trim());
    else {
      const value = parseNumberToken(valueText.trim());
      if (value === null) return null;
      setField(fields, name, value);
    }
  }
  const values: LineValues = { fields };
  const names = Object.keys(fields);
  if (unit) values.units = Object.fromEntries(names.map((field) => [field, unit]));
  if (deviceTimeMs !== undefined && Number.isFinite(deviceTimeMs)) values.deviceTimeMs = Object.fromEntries(names.map((field) => [field, deviceTimeMs]));
  return values;
}

/** `a:1,b:2` (comma-separated pairs, numbers only), else null. */
function parsePairs(body: string): LineValues | null {
  const parts = body.split(',');
  if (parts.length < 2 || parts.length > MAX_FIELDS_PER_RECORD) return null;
  const fields: RecordFields = {};
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon <= 0) return null;
    const name = part.slice(0, colon).trim();
    const value = parseNumberToken(part.slice(colon + 1).trim());
    if (name.length === 0 || value === null) return null;
    setField(fields, name, value);
  }
  return { fields };
}
