// CSV with a header line: a line of names (`time,temp,humidity`) names the columns of the numeric
// rows after it that have as many columns. Stateful per port. A header line is only a candidate
// until a numeric row with its column count confirms it. While the confirmed header fits the rows,
// a candidate replaces it only if it came on the line right before a row (firmware prints its
// header, then its rows), so a log line with commas between rows (`WiFi lost, retrying`) does
// not rename the columns of a running stream.
// Separators: comma, semicolon or tab, whichever the header used.
import { parseNumberToken } from './number-text.js';
import { MAX_FIELDS_PER_RECORD, setField, type LineValues, type RecordFields } from './record-types.js';

/** Longest column name accepted in a header, in characters: 64; longer cells are prose, not names. */
const MAX_HEADER_NAME_CHARS = 64;
const SEPARATORS = [',', ';', '\t'] as const;

interface Header {
  names: string[];
  separator: string;
}

/** Tracks a port's CSV header and reads its rows. */
export class CsvReader {
  private active: Header | null = null;
  private candidate: Header | null = null;
  /** True when the previous line read was the candidate header. */
  private candidateJustRead = false;

  /** The column names in use, if a header has been confirmed by a row. */
  get columns(): readonly string[] | null {
    return this.active?.names ?? null;
  }

  /**
   * Reads one complete line: a numeric row under a header gives fields; a header line is
   * remembered (and returns null: it is not data); anything else returns null and changes nothing.
   */
  read(line: string): LineValues | null {
    const text = line.trim();
    const justRead = this.candidateJustRead;
    this.candidateJustRead = false;
    if (text.length === 0) return null;
    const order = justRead ? [this.candidate, this.active] : [this.active, this.candidate];
    for (const header of order) {
      if (!header) continue;
      const row = readRow(text, header);
      if (!row) continue;
      if (header === this.candidate) {
        this.active = header;
        this.candidate = null;
      }
      return { fields: row };
    }
    const header = readHeader(text);
    if (header) {
      this.candidate = header;
      this.candidateJustRead = true;
    }
    return null;
  }
}

/** The row's fields under `header` if every cell is a number (or empty: that column is skipped) and the count matches. */
function readRow(text: string, header: Header): RecordFields | null {
  const cells = text.split(header.separator);
  if (cells.length !== header.names.length) return null;
  const fields: RecordFields = {};
  let count = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!.trim();
    if (cell.length === 0) continue;
    const value = parseNumberToken(cell);
    if (value === null) return null;
    setField(fields, header.names[i]!, value);
    count++;
  }
  return count > 0 ? fields : null;
}

/** A header: at least two distinct non-empty names (optionally double-quoted), none a number, none with ':' (that is the plotter's label syntax). */
function readHeader(text: string): Header | null {
  for (const separator of SEPARATORS) {
    if (!text.includes(separator)) continue;
    const names = text.split(separator).map(unquote);
    if (names.length < 2 || names.length > MAX_FIELDS_PER_RECORD) continue;
    const ok = names.every(
      (name) => name.length > 0 && name.length <= MAX_HEADER_NAME_CHARS && !name.includes(':') && parseNumberToken(name) === null,
    );
    if (ok && new Set(names).size === names.length) return { names, separator };
  }
  return null;
}

function unquote(cell: string): string {
  const trimmed = cell.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).trim() : trimmed;
}
