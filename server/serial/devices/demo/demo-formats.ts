// The demo board's reading formats, as the sensor-board sketch prints them (firmware/README.md,
// "Formats"): a JSON object, the Arduino plotter's space-separated `label:value` pairs, or a CSV
// row under a header line that is printed when CSV is chosen or asked for and again after every
// DEMO_CSV_HEADER_EVERY_ROWS rows, so a program that starts reading mid-stream learns the columns.
import { SENSOR_FIELDS, type SensorReading } from './demo-sensors.js';

/** The formats `format` accepts; `json` after a reset. */
export const READING_FORMATS = ['json', 'plotter', 'csv'] as const;
export type ReadingFormat = (typeof READING_FORMATS)[number];
/** The format after a (re)boot. */
export const DEFAULT_READING_FORMAT: ReadingFormat = 'json';
/** In CSV, rows between repeated header lines (as the sketch). */
export const DEMO_CSV_HEADER_EVERY_ROWS = 10;
/** The CSV header line: `temp,humidity,ppm,pressure`. */
export const CSV_HEADER = SENSOR_FIELDS.join(',');

export function isReadingFormat(text: string): text is ReadingFormat {
  return (READING_FORMATS as readonly string[]).includes(text);
}

/** One reading as one line of `format`, without a line ending. Numbers print as JSON prints them. */
export function formatReading(reading: SensorReading, format: ReadingFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(Object.fromEntries(SENSOR_FIELDS.map((field) => [field, reading[field]])));
    case 'plotter':
      return SENSOR_FIELDS.map((field) => `${field}:${String(reading[field])}`).join(' ');
    case 'csv':
      return SENSOR_FIELDS.map((field) => String(reading[field])).join(',');
  }
}

/** The format a board prints in, and in CSV when its header line is due again. */
export class ReadingPrinter {
  private current: ReadingFormat = DEFAULT_READING_FORMAT;
  private rowsSinceHeader = 0;

  get format(): ReadingFormat {
    return this.current;
  }

  /** Chooses a format (or the same one again); returns the lines announcing it: the header in CSV, which restarts the count. */
  choose(format: ReadingFormat): string[] {
    this.current = format;
    this.rowsSinceHeader = 0;
    return format === 'csv' ? [CSV_HEADER] : [];
  }

  /** The lines for one reading: in CSV, the header first after every DEMO_CSV_HEADER_EVERY_ROWS rows. */
  lines(reading: SensorReading): string[] {
    const lines: string[] = [];
    if (this.current === 'csv') {
      if (this.rowsSinceHeader >= DEMO_CSV_HEADER_EVERY_ROWS) {
        lines.push(CSV_HEADER);
        this.rowsSinceHeader = 0;
      }
      this.rowsSinceHeader++;
    }
    lines.push(formatReading(reading, this.current));
    return lines;
  }
}
