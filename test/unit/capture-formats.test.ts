import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../server/capture/capture-store.js';
import { formatNdjson, formatRaw, formatText, plainLine } from '../../server/capture/download-formats.js';
import { collect, concat, utf8 } from './capture-fixtures.js';

async function* from(records: CaptureRecord[]): AsyncIterable<CaptureRecord> {
  yield* records;
}
const T0 = Date.UTC(2026, 10, 29, 14, 2, 0, 0); // 2026-11-29T14:02:00.000Z
const text = async (out: AsyncIterable<Uint8Array>) => new TextDecoder().decode(concat(await collect(out)));

const sample: CaptureRecord[] = [
  { kind: 'event', offset: 0, timeMs: T0, event: { type: 'open', baud: 115200 } },
  { kind: 'data', offset: 0, timeMs: T0 + 10_123, bytes: utf8('boot ok\r\nca') }, // "café" split: 0xC3 here...
  { kind: 'data', offset: 11, timeMs: T0 + 12_345.6, bytes: Uint8Array.of(0x66, 0xc3) },
  { kind: 'data', offset: 13, timeMs: T0 + 13_000, bytes: Uint8Array.of(0xa9, 0x0a, 0x3e, 0x20) }, // ...0xA9 here; then "> "
  { kind: 'write', offset: 17, timeMs: T0 + 14_000, bytes: utf8('help\r'), source: 'ws:tab-3f2a' },
  { kind: 'data', offset: 17, timeMs: T0 + 14_500, bytes: utf8('help\r\n') },
  { kind: 'event', offset: 23, timeMs: T0 + 15_000, event: { type: 'close' } },
];

describe('download formats', () => {
  it('raw: exactly the data bytes', async () => {
    const raw = concat(await collect(formatRaw(from(sample))));
    expect(raw).toEqual(concat(sample.flatMap((r) => (r.kind === 'data' ? [r.bytes] : []))));
  });

  it('text: lines stamped with their first byte\'s arrival, UTF-8 kept whole across records, writes and events inline', async () => {
    expect(await text(formatText(from(sample), T0))).toBe(
      [
        '2026-11-29T14:02:00.000Z +0.000 -- open {"baud":115200}',
        '2026-11-29T14:02:10.123Z +10.123 boot ok',
        '2026-11-29T14:02:10.123Z +10.123 café', // starts in the record at +10.123, ends two records later
        '2026-11-29T14:02:13.000Z +13.000 > ', // a prompt still open when the write came
        '2026-11-29T14:02:14.000Z +14.000 >> [ws:tab-3f2a] help\\r',
        '2026-11-29T14:02:14.500Z +14.500 help',
        '2026-11-29T14:02:15.000Z +15.000 -- close',
        '',
      ].join('\n'),
    );
  });

  it('text: elapsed time is relative to the range start, and a last line without newline is kept', async () => {
    const out = await text(formatText(from([{ kind: 'data', offset: 0, timeMs: T0 + 500, bytes: utf8('tail') }]), T0 + 2000));
    expect(out).toBe('2026-11-29T14:02:00.500Z -1.500 tail\n');
  });

  it('text: with stripEscapes, colours, cursor moves, titles and control characters leave each line; without, they stay', async () => {
    const coloured = '\x1b[1;31mERR\x1b[0m temp \x1b]0;title\x07high\x08!\x1b[2K\r\n';
    const records: CaptureRecord[] = [
      { kind: 'data', offset: 0, timeMs: T0, bytes: utf8(coloured.slice(0, 6)) }, // an escape split across records
      { kind: 'data', offset: 6, timeMs: T0 + 1, bytes: utf8(coloured.slice(6)) },
    ];
    expect(await text(formatText(from(records), T0, { stripEscapes: true }))).toBe('2026-11-29T14:02:00.000Z +0.000 ERR temp high!\n');
    expect(await text(formatText(from(records), T0))).toBe(`2026-11-29T14:02:00.000Z +0.000 ${coloured.slice(0, -2)}\n`);
  });

  it('plainLine keeps tabs and every printable character, UTF-8 included', () => {
    expect(plainLine('a\tb café 温度 → 21.4°C')).toBe('a\tb café 温度 → 21.4°C');
    expect(plainLine('\x00\x1b\x7f\x9b')).toBe('');
  });

  it('ndjson: one object per record, text when valid UTF-8, base64 otherwise', async () => {
    const lines = (await text(formatNdjson(from(sample)))).trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toHaveLength(sample.length);
    expect(lines[0]).toEqual({ kind: 'event', offset: 0, time: '2026-11-29T14:02:00.000Z', timeMs: T0, event: { type: 'open', baud: 115200 } });
    expect(lines[1]).toEqual({ kind: 'data', offset: 0, time: '2026-11-29T14:02:10.123Z', timeMs: T0 + 10_123, text: 'boot ok\r\nca' });
    expect(lines[2]).toEqual({ kind: 'data', offset: 11, time: '2026-11-29T14:02:12.345Z', timeMs: T0 + 12_345.6, base64: 'ZsM=' });
    expect(lines[4]).toEqual({
      kind: 'write',
      offset: 17,
      time: '2026-11-29T14:02:14.000Z',
      timeMs: T0 + 14_000,
      source: 'ws:tab-3f2a',
      text: 'help\r',
    });
  });

  it('streams in bounded pieces', async () => {
    async function* many(): AsyncIterable<CaptureRecord> {
      for (let i = 0; i < 20_000; i++) yield { kind: 'data', offset: i * 20, timeMs: T0 + i, bytes: utf8('line number ' + String(i).padStart(6, '0') + '\n') };
    }
    const pieces = await collect(formatText(many(), T0));
    expect(pieces.length).toBeGreaterThan(5);
    for (const p of pieces) expect(p.length).toBeLessThan(128 * 1024);
    const lines = new TextDecoder().decode(concat(pieces)).trimEnd().split('\n');
    expect(lines).toHaveLength(20_000);
    expect(lines[19_999]).toBe('2026-11-29T14:02:19.999Z +19.999 line number 019999');
  });
});
