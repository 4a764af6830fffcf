import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FramedLine } from '../../server/lines/line-framer.js';
import { CsvReader } from '../../server/lines/records/csv-record.js';
import { parseJsonLine } from '../../server/lines/records/json-record.js';
import { parseNumberToken } from '../../server/lines/records/number-text.js';
import { parsePlotterLine } from '../../server/lines/records/plotter-record.js';
import { RecordDetector } from '../../server/lines/records/record-detector.js';
import { parseTeleplotLine } from '../../server/lines/records/teleplot-record.js';

let nextOffset = 0;
const line = (text: string, partial = false): FramedLine => {
  const offset = nextOffset;
  nextOffset += text.length + 1;
  return { offset, endOffset: nextOffset, timeMs: 1000 + offset, text, partial };
};

describe('numbers', () => {
  it('reads whole tokens only, with Arduino nan/inf/ovf', () => {
    expect(parseNumberToken('21.4')).toBe(21.4);
    expect(parseNumberToken('-3e2')).toBe(-300);
    expect(parseNumberToken('.5')).toBe(0.5);
    expect(parseNumberToken('0x1F')).toBe(31);
    expect(parseNumberToken('nan')).toBeNaN();
    expect(parseNumberToken('ovf')).toBe(Infinity);
    expect(parseNumberToken('12abc')).toBeNull();
    expect(parseNumberToken(' 1')).toBeNull();
    expect(parseNumberToken('')).toBeNull();
  });
});

describe('JSON lines', () => {
  it("reads seed 000's reading", () => {
    expect(parseJsonLine('{"temp":21.4,"humidity":40,"ppm":412,"pressure":101325}')).toEqual({
      fields: { temp: 21.4, humidity: 40, ppm: 412, pressure: 101325 },
    });
  });

  it('flattens nested keys with dots and arrays by index; keeps strings and booleans; drops nulls', () => {
    expect(parseJsonLine(' {"a":{"b":1,"c":{"d":"on"}},"x":[5,{"y":true}],"n":null} ')).toEqual({
      fields: { 'a.b': 1, 'a.c.d': 'on', 'x.0': 5, 'x.1.y': true },
    });
  });

  it('is not a record when not an object, not valid, or empty', () => {
    for (const text of ['[1,2]', '{"a":1', '{}', '{"a":null}', 'plain', '"{}"']) expect(parseJsonLine(text)).toBeNull();
  });

  it('keeps a "__proto__" key as a field, not a prototype', () => {
    const values = parseJsonLine('{"__proto__":{"polluted":1},"ok":2}');
    expect(values?.fields).toEqual({ '__proto__.polluted': 1, ok: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('Arduino plotter lines', () => {
  it('reads label:value pairs separated by spaces, tabs or commas', () => {
    expect(parsePlotterLine('Sensor1:512,Sensor2:3.3')).toEqual({ fields: { Sensor1: 512, Sensor2: 3.3 } });
    expect(parsePlotterLine('a:1 b:2\tc:-3')).toEqual({ fields: { a: 1, b: 2, c: -3 } });
    expect(parsePlotterLine('temp: 21.4, hum: 40')).toEqual({ fields: { temp: 21.4, hum: 40 } });
  });

  it('names unlabelled values "value 1".."value n", as the IDE 2 plotter does', () => {
    expect(parsePlotterLine('10 20,30\t40')).toEqual({ fields: { 'value 1': 10, 'value 2': 20, 'value 3': 30, 'value 4': 40 } });
  });

  it('leaves prose, clock times and half-numeric lines as text', () => {
    for (const text of ['Temperature (DHT): 21.4 °C', 'hello world', '12:30:45', 'a:1 b', 'x:1 y:oops', '', '   ']) {
      expect(parsePlotterLine(text), text).toBeNull();
    }
  });

  it('reads a failed float reading (nan) as NaN rather than turning the line to text', () => {
    expect(parsePlotterLine('t:nan h:40')?.fields.t).toBeNaN();
  });
});

describe('CSV with a header', () => {
  it('names numeric rows by the header line before them', () => {
    const csv = new CsvReader();
    expect(csv.read('time,temp,humidity')).toBeNull();
    expect(csv.read('1,21.4,40')).toEqual({ fields: { time: 1, temp: 21.4, humidity: 40 } });
    expect(csv.read('2; 21.5; 41')).toBeNull(); // another separator: not this header's row
    expect(csv.read('2,21.5,41')).toEqual({ fields: { time: 2, temp: 21.5, humidity: 41 } });
    expect(csv.columns).toEqual(['time', 'temp', 'humidity']);
  });

  it('a comma in a log line between rows does not rename the columns; a header printed right before a row does', () => {
    const csv = new CsvReader();
    csv.read('time,temp,humidity');
    csv.read('1,21.4,40');
    expect(csv.read('WiFi lost, retrying, soon')).toBeNull();
    expect(csv.read('reconnected')).toBeNull();
    expect(csv.read('2,21.5,41')).toEqual({ fields: { time: 2, temp: 21.5, humidity: 41 } });
    expect(csv.read('x,y,z')).toBeNull();
    expect(csv.read('3,4,5')).toEqual({ fields: { x: 3, y: 4, z: 5 } });
    expect(csv.columns).toEqual(['x', 'y', 'z']);
  });

  it('an unconfirmed header waits for a row of its width, however late', () => {
    const csv = new CsvReader();
    csv.read('a,b');
    csv.read('1,2');
    csv.read('p,q,r');
    csv.read('log line');
    expect(csv.read('1,2')).toEqual({ fields: { a: 1, b: 2 } });
    expect(csv.read('7,8,9')).toEqual({ fields: { p: 7, q: 8, r: 9 } });
  });

  it('accepts quoted names, tabs and semicolons; skips empty cells; refuses non-numeric cells', () => {
    const csv = new CsvReader();
    csv.read('"a";"b c"');
    expect(csv.read('1;')).toEqual({ fields: { a: 1 } });
    expect(csv.read('1;x')).toBeNull();
    const tabs = new CsvReader();
    tabs.read('x\ty');
    expect(tabs.read('1\t2')).toEqual({ fields: { x: 1, y: 2 } });
  });
});

describe('Teleplot lines', () => {
  it('reads >name:value, with a device timestamp, a unit, and the text flag', () => {
    expect(parseTeleplotLine('>temp:21.4')).toEqual({ fields: { temp: 21.4 } });
    expect(parseTeleplotLine('>temp:1627551892437:21.4')).toEqual({ fields: { temp: 21.4 }, deviceTimeMs: { temp: 1627551892437 } });
    expect(parseTeleplotLine('>speed:12.5§km/h')).toEqual({ fields: { speed: 12.5 }, units: { speed: 'km/h' } });
    expect(parseTeleplotLine('>motor:Turned On|t')).toEqual({ fields: { motor: 'Turned On' } });
    expect(parseTeleplotLine('>state:1627551892437:Off|t')).toEqual({ fields: { state: 'Off' }, deviceTimeMs: { state: 1627551892437 } });
  });

  it('keeps the last of several samples, reads xy points, ignores display flags and widget labels', () => {
    expect(parseTeleplotLine('>v:1627551892444:1;1627551892555:2§rad|np')).toEqual({
      fields: { v: 2 },
      units: { v: 'rad' },
      deviceTimeMs: { v: 1627551892555 },
    });
    expect(parseTeleplotLine('>traj:12.3:45.67|xy')).toEqual({ fields: { 'traj.x': 12.3, 'traj.y': 45.67 } });
    expect(parseTeleplotLine('>temp,chart1:20|g')).toEqual({ fields: { temp: 20 } });
  });

  it('reads several pairs on one line (the VS Code Serial Plotter form)', () => {
    expect(parseTeleplotLine('>pin0:0.0342,brightness:234,temp:25.7')).toEqual({ fields: { pin0: 0.0342, brightness: 234, temp: 25.7 } });
  });

  it('is not a record for logs, 3D shapes, or non-numeric values without the text flag', () => {
    for (const text of ['>:Hello world', '>1627551892437:Hello', '>3D|cube:S:cube', '>temp:warm', 'temp:21', '> prompt']) {
      expect(parseTeleplotLine(text), text).toBeNull();
    }
  });
});

describe('record detector', () => {
  it('detects each format per line and counts records against text', () => {
    const detector = new RecordDetector();
    const lines = [
      '{"temp":21.4,"humidity":40,"ppm":412,"pressure":101325}',
      'Temperature (DHT): 21.40 °C',
      'temp:21.4,hum:40',
      '>temp:21.4§°C',
      't,temp',
      '1,21.4',
      '10 20',
      'boot ok',
    ];
    const records = lines.map((text) => detector.read(line(text)));
    expect(records.map((r) => r?.format ?? null)).toEqual(['json', null, 'plotter', 'teleplot', null, 'csv', 'plotter', null]);
    expect(records[3]).toMatchObject({ fields: { temp: 21.4 }, units: { temp: '°C' } });
    expect(records[0]).toMatchObject({ offset: expect.any(Number), timeMs: expect.any(Number) });
    expect(detector.stats).toEqual({ lines: 8, records: 5, text: 3, byFormat: { json: 1, plotter: 2, csv: 1, teleplot: 1 } });
  });

  it('carries the line offset and first-byte time; ignores partial lines', () => {
    const detector = new RecordDetector();
    expect(detector.read({ offset: 42, endOffset: 50, timeMs: 7, text: 'a:1', partial: false })).toEqual({
      offset: 42,
      timeMs: 7,
      format: 'plotter',
      fields: { a: 1 },
    });
    expect(detector.read({ offset: 50, endOffset: 53, timeMs: 8, text: 'a:2', partial: true })).toBeNull();
    expect(detector.stats.lines).toBe(1);
  });

  it('a CSV row wins over the plotter only when its column count matches the header', () => {
    const detector = new RecordDetector();
    detector.read(line('a,b'));
    expect(detector.read(line('1,2'))?.format).toBe('csv');
    expect(detector.read(line('1,2,3'))?.format).toBe('plotter');
  });
});

describe('parsers: properties', () => {
  const noisy = fc.string({
    unit: fc.oneof(
      fc.constantFrom('{', '}', '"', ':', ',', ';', '\t', ' ', '>', '|', '§', '[', ']', '.', '-', 'e', 'x', '0', '1', '9', 'nan', 'a', '__proto__'),
      fc.string({ unit: 'grapheme', maxLength: 1 }),
    ),
    maxLength: 60,
  });

  it('never throw on arbitrary text, and a record always has at least one field of an allowed type', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(noisy, fc.json(), fc.string({ unit: 'binary' })), { maxLength: 10 }), (texts) => {
        const detector = new RecordDetector();
        const csv = new CsvReader();
        for (const text of texts) {
          for (const values of [parseJsonLine(text), parsePlotterLine(text), parseTeleplotLine(text), csv.read(text)]) {
            if (!values) continue;
            const fields = Object.entries(values.fields);
            expect(fields.length).toBeGreaterThan(0);
            for (const [, value] of fields) expect(['number', 'string', 'boolean']).toContain(typeof value);
          }
          detector.read(line(text));
        }
        const stats = detector.stats;
        expect(stats.records + stats.text).toBe(stats.lines);
      }),
      { numRuns: 500 },
    );
  });

  it('any flat JSON object of numbers round-trips through the JSON parser', () => {
    const key = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !k.includes('.') && k !== '__proto__');
    fc.assert(
      fc.property(fc.dictionary(key, fc.double({ noNaN: true, noDefaultInfinity: true }), { minKeys: 1, maxKeys: 10 }), (object) => {
        const expected = Object.fromEntries(Object.entries(object).map(([k, v]) => [k, Object.is(v, -0) ? 0 : v]));
        const parsed = parseJsonLine(JSON.stringify(object))?.fields;
        expect(parsed).toEqual(expected);
      }),
    );
  });
});
