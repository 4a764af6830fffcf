// Decides, line by line, whether a port's line carries data and in which format, and counts what
// parsed and what stayed text. One per port (CSV headers are remembered per port).
//
// Order, from the first character of the trimmed line, so each line is tried by at most a few
// parsers: `{` → JSON object; `>` → Teleplot; otherwise CSV (a numeric row under a confirmed or
// candidate header; a header line itself is remembered and stays text), then the Arduino plotter
// format. A CSV row wins over the plotter's unnamed values when its column count matches the header.
import type { FramedLine } from '../line-framer.js';
import { CsvReader } from './csv-record.js';
import { parseJsonLine } from './json-record.js';
import { parsePlotterLine } from './plotter-record.js';
import type { LineValues, ParsedRecord, RecordFormat } from './record-types.js';
import { parseTeleplotLine } from './teleplot-record.js';

/** Counts of complete lines read: how many became records (by format) and how many stayed text. */
export interface RecordCounts {
  lines: number;
  records: number;
  text: number;
  byFormat: Record<RecordFormat, number>;
}

/** A port's record detector. */
export class RecordDetector {
  private readonly csv = new CsvReader();
  private readonly counts: RecordCounts = { lines: 0, records: 0, text: 0, byFormat: { json: 0, plotter: 0, csv: 0, teleplot: 0 } };

  /** Parsed vs text counts so far (a copy). */
  get stats(): RecordCounts {
    return { ...this.counts, byFormat: { ...this.counts.byFormat } };
  }

  /** The record a complete line carries, or null if it stays text. Partial lines are not read (null, not counted). Never throws. */
  read(line: FramedLine): ParsedRecord | null {
    if (line.partial) return null;
    this.counts.lines++;
    let found: { format: RecordFormat; values: LineValues } | null = null;
    try {
      found = detect(line.text, this.csv);
    } catch {
      found = null; // a parser bug must not stop the port's line reader; the line stays text
    }
    if (!found) {
      this.counts.text++;
      return null;
    }
    this.counts.records++;
    this.counts.byFormat[found.format]++;
    const record: ParsedRecord = { offset: line.offset, timeMs: line.timeMs, format: found.format, fields: found.values.fields };
    if (found.values.units) record.units = found.values.units;
    if (found.values.deviceTimeMs) record.deviceTimeMs = found.values.deviceTimeMs;
    return record;
  }
}

/** ANSI CSI sequences (colours, `ESC[2K` erase-line): a sketch that redraws its prompt prints them around its readings. */
const ANSI_CSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

function detect(line: string, csv: CsvReader): { format: RecordFormat; values: LineValues } | null {
  const text = line.includes('\x1b') ? line.replace(ANSI_CSI, '') : line;
  const first = firstNonSpace(text);
  if (first === '{') {
    const values = parseJsonLine(text);
    return values && { format: 'json', values };
  }
  if (first === '>') {
    const values = parseTeleplotLine(text);
    return values && { format: 'teleplot', values };
  }
  const row = csv.read(text);
  if (row) return { format: 'csv', values: row };
  const values = parsePlotterLine(text);
  return values && { format: 'plotter', values };
}

function firstNonSpace(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== ' ' && c !== '\t') return c;
  }
  return '';
}
