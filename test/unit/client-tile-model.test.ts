import { describe, expect, it } from 'vitest';
import type { RecordData } from '../../server/wire/api.js';
import { sparklinePath } from '../../client/views/sparkline.js';
import { TileModel } from '../../client/views/tile-model.js';
import { formatAge, formatValue } from '../../client/views/value-format.js';

const record = (timeMs: number, fields: RecordData['fields'], units?: Record<string, string>): RecordData => ({
  offset: 0,
  endOffset: 1,
  timeMs,
  format: 'json',
  fields,
  ...(units ? { units } : {}),
});

describe('tile model', () => {
  it('keeps each field current, with min and max over the window, numbers before status text', () => {
    const model = new TileModel(60_000, 60);
    model.addRecord(record(1000, { state: 'heating', temp: 21.4 }));
    model.addRecord(record(2000, { temp: 22 }));
    model.addRecord(record(3000, { temp: 20.5, volt: 3.3 }, { volt: 'V' }));
    expect(model.names()).toEqual(['temp', 'volt', 'state']);
    expect(model.tile('temp', 3000)).toMatchObject({ kind: 'number', value: 20.5, min: 20.5, max: 22, intervalMs: 1000, stale: false });
    expect(model.tile('volt', 3000)).toMatchObject({ value: 3.3, unit: 'V' });
    expect(model.tile('state', 3000)).toMatchObject({ kind: 'text', value: 'heating' });
    expect(model.tile('nothing', 3000)).toBeNull();
  });

  it('marks a field stale after several of its usual intervals, and fresh again on the next update', () => {
    const model = new TileModel(60_000, 60);
    for (let t = 0; t <= 5000; t += 1000) model.addRecord(record(t, { temp: t }));
    expect(model.tile('temp', 7000)?.stale).toBe(false);
    expect(model.tile('temp', 8500)?.stale).toBe(true);
    model.addRecord(record(8600, { temp: 1 }));
    expect(model.tile('temp', 8700)?.stale).toBe(false);
  });

  it('fills from latest and series, seeding the interval from the range so a board that stopped shows stale at once', () => {
    const model = new TileModel(600_000, 120);
    model.addLatest([{ name: 'ppm', value: 412, timeMs: 59_000 }, { name: 'volt', value: 3.3, timeMs: 59_000, unit: 'V' }]);
    model.addSeries([{ name: 'ppm', times: [0, 29_000, 59_000], values: [400, 420, 412], count: 60 }]);
    expect(model.tile('ppm', 59_500)).toMatchObject({ value: 412, min: 400, max: 420, intervalMs: 1000, stale: false });
    expect(model.tile('ppm', 120_000)?.stale).toBe(true);
    expect(model.tile('volt', 59_500)).toMatchObject({ unit: 'V' });
  });

  it('an older record does not replace the current value', () => {
    const model = new TileModel();
    model.addRecord(record(5000, { temp: 2 }));
    model.addRecord(record(4000, { temp: 1 }));
    expect(model.tile('temp', 5000)?.value).toBe(2);
  });
});

describe('sparkline and formatting', () => {
  it('draws the buckets across the box, top for the max, bottom for the min', () => {
    const path = sparklinePath(
      [
        { index: 0, min: 0, max: 0, minTimeMs: 0, maxTimeMs: 0 },
        { index: 1, min: 10, max: 10, minTimeMs: 100, maxTimeMs: 100 },
      ],
      0,
      100,
      200,
      40,
    );
    expect(path).toBe('M0 39 L200 1');
    expect(sparklinePath([], 0, 100, 200, 40)).toBe('');
    expect(sparklinePath([{ index: 0, min: 5, max: 5, minTimeMs: 50, maxTimeMs: 50 }], 0, 100, 200, 40)).toBe('M100 20 L200 20');
  });

  it('prints readings without float noise', () => {
    expect(formatValue(101325)).toBe('101325');
    expect(formatValue(21.4)).toBe('21.4');
    expect(formatValue(0.1 + 0.2)).toBe('0.3');
    expect(formatValue(1.23456789e-7)).toBe('1.23457e-7');
    expect(formatAge(400)).toBe('now');
    expect(formatAge(12_500)).toBe('12 s');
    expect(formatAge(180_000)).toBe('3 min');
  });
});
