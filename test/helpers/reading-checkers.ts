// Tiny checkers for the sensor board's reading formats (firmware/README.md, "Formats"), shared by
// the emulated Uno's tests and the demo board's: deliberately independent of serialdeck's own
// record parsers, so they check the formats themselves.

/** The fields every format carries, in order. */
export const FIELDS = ['temp', 'humidity', 'ppm', 'pressure'];

/** A reading's values by field name. */
export type Values = Record<string, number>;

/** JSON: one object of numbers per line. */
export function parseJsonLine(line: string): Values {
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not an object: ${line}`);
  for (const v of Object.values(value)) if (typeof v !== 'number') throw new Error(`not a number in ${line}`);
  return value as Values;
}

/** The Arduino plotter's format: `label:number` pairs, separated by spaces (tabs or commas also allowed). */
export function parsePlotterLine(line: string): Values {
  const values: Values = {};
  for (const pair of line.split(/[ \t,]+/)) {
    const match = /^([A-Za-z_][\w.-]*):(-?\d+(?:\.\d+)?)$/.exec(pair);
    if (!match) throw new Error(`not a label:number pair: ${JSON.stringify(pair)} in ${JSON.stringify(line)}`);
    values[match[1]!] = Number(match[2]);
  }
  return values;
}

/** CSV: a header line of names, then numeric rows of the same width; a repeated header is allowed. Returns the rows and the row counts between headers. */
export function parseCsvLines(lines: string[]): { rows: Values[]; runs: number[] } {
  const header = lines[0]?.split(',') ?? [];
  if (header.length === 0 || header.some((name) => !/^[A-Za-z_]\w*$/.test(name))) throw new Error(`no header: ${lines[0]}`);
  const rows: Values[] = [];
  const runs = [0];
  for (const line of lines.slice(1)) {
    if (line === lines[0]) {
      runs.push(0);
      continue;
    }
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`${cells.length} cells, header has ${header.length}: ${line}`);
    const row: Values = {};
    cells.forEach((cell, i) => {
      if (!/^-?\d+(?:\.\d+)?$/.test(cell)) throw new Error(`not a number: ${JSON.stringify(cell)} in ${line}`);
      row[header[i]!] = Number(cell);
    });
    rows.push(row);
    runs[runs.length - 1]!++;
  }
  return { rows, runs };
}
