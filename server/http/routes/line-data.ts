// The line layer's values as the API sends them (SSE events, a send's reply): wire types, with ISO times.
import type { FramedLine } from '../../lines/line-framer.js';
import type { ParsedRecord } from '../../lines/records/record-types.js';
import type { LineData, RecordData } from '../../wire/api.js';

/** A framed line as LineData. */
export function toLineData(line: FramedLine): LineData {
  const data: LineData = {
    offset: line.offset,
    endOffset: line.endOffset,
    time: new Date(line.timeMs).toISOString(),
    timeMs: line.timeMs,
    text: line.text,
    partial: line.partial,
  };
  if (line.cut) data.cut = line.cut;
  return data;
}

/** A parsed record (with its line's end offset) as RecordData. */
export function toRecordData(record: ParsedRecord, endOffset: number): RecordData {
  const data: RecordData = { offset: record.offset, endOffset, timeMs: record.timeMs, format: record.format, fields: record.fields };
  if (record.units) data.units = record.units;
  if (record.deviceTimeMs) data.deviceTimeMs = record.deviceTimeMs;
  return data;
}
