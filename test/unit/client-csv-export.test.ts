import { describe, expect, it } from 'vitest';
import { csvCell, csvFileName, csvText } from '../../client/views/csv-export.js';

describe('CSV export of the visible range', () => {
  const data = {
    times: [1000, 2000, 3000, 4000],
    columns: [
      [1.5, null, 3, 4],
      [null, null, 30, 40],
    ],
  };

  it('writes a header, then the rows in [from, to] that hold a value, with ms and ISO times', () => {
    expect(csvText(['temp', 'ppm'], data, 1000, 3000)).toBe(
      'time_ms,time,temp,ppm\r\n' +
        '1000,1970-01-01T00:00:01.000Z,1.5,\r\n' +
        '3000,1970-01-01T00:00:03.000Z,3,30\r\n',
    );
  });

  it('writes whole milliseconds for rows at fractions of one (bucket times)', () => {
    expect(csvText(['a'], { times: [1000.6], columns: [[1]] }, 0, 2000)).toBe('time_ms,time,a\r\n1001,1970-01-01T00:00:01.001Z,1\r\n');
  });

  it('writes only the header for an empty range', () => {
    expect(csvText(['temp'], { times: [], columns: [[]] }, 0, 10)).toBe('time_ms,time,temp\r\n');
  });

  it('quotes names with commas or quotes, and defuses names a spreadsheet would run as formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=SUM(A1)')).toBe(`"'=SUM(A1)"`);
    expect(csvCell('temp')).toBe('temp');
  });

  it('names the file after the port and the time', () => {
    expect(csvFileName('my uno/1', Date.UTC(2025, 10, 30, 10, 0, 0))).toBe('my_uno_1-plot-2025-11-30T10-00-00-000Z.csv');
  });
});
