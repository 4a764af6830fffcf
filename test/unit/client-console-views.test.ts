// The console views' pure parts: hex rows with stream offsets, the bounded byte window, the time
// column (server clock or delta), the line list, writes placed among the lines, and filters applied
// and counted.
import { describe, expect, it } from 'vitest';
import type { LineData, LineFilter, WriteNote } from '../../server/wire/api.js';
import { ByteWindow } from '../../client/views/byte-window.js';
import { formatHexOffset, hexRows } from '../../client/views/hex-format.js';
import { CompiledFilters, countHidden, hiddenNotice, nextFilterId } from '../../client/views/line-filters.js';
import { formatClock, formatDelta, LineList, mergeRows, timeColumn, WriteList, writeTimeColumn } from '../../client/views/line-rows.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const line = (offset: number, timeMs: number, text: string, partial = false): LineData => ({
  offset,
  endOffset: offset + text.length + 1,
  time: new Date(timeMs).toISOString(),
  timeMs,
  text,
  partial,
});
const filter = (over: Partial<LineFilter>): LineFilter => ({ id: 'f', pattern: 'x', flags: '', action: 'hide', colour: 'yellow', enabled: true, ...over });

describe('hex rows', () => {
  it('prints offset, 16 bytes split 8 + 8, and ASCII with dots for the unprintable', () => {
    const rows = hexRows(bytes('Hello\r\nboard say hi'), 0);
    expect(rows.map((r) => r.text)).toEqual([
      '00000000  48 65 6c 6c 6f 0d 0a 62  6f 61 72 64 20 73 61 79  |Hello..board say|',
      '00000010  20 68 69                                          | hi             |',
    ]);
    expect(rows.map((r) => r.offset)).toEqual([0, 16]);
  });

  it('aligns rows to stream offsets: a window starting mid-row leaves the earlier columns blank', () => {
    const rows = hexRows(Uint8Array.from([0x00, 0x41, 0xff]), 0x1e);
    expect(rows.map((r) => r.text)).toEqual([
      '00000010                                             00 41  |              .A|',
      '00000020  ff                                                |.               |',
    ]);
    expect(new Set([...rows, ...hexRows(bytes('x'.repeat(16)), 0)].map((r) => r.text.length))).toEqual(new Set([78]));
  });

  it('widens offsets past 4 GiB and prints nothing for no bytes', () => {
    expect(formatHexOffset(0x1_0000_0010)).toBe('100000010');
    expect(hexRows(new Uint8Array(0), 5)).toEqual([]);
  });
});

describe('byte window', () => {
  it('keeps the newest bytes within its capacity, with their offsets', () => {
    const w = new ByteWindow(8);
    w.push(100, bytes('abcde'));
    expect([w.start, w.end]).toEqual([100, 105]);
    w.push(105, bytes('fghij'));
    expect([w.start, w.end]).toEqual([102, 110]);
    expect(new TextDecoder().decode(w.bytes())).toBe('cdefghij');
    w.push(110, bytes('0123456789'));
    expect([w.start, w.end, new TextDecoder().decode(w.bytes())]).toEqual([112, 120, '23456789']);
  });

  it('starts again at a jump in offsets (a skip, another port) and after clear', () => {
    const w = new ByteWindow(8);
    w.push(0, bytes('abc'));
    w.push(50, bytes('xy'));
    expect([w.start, w.end, new TextDecoder().decode(w.bytes())]).toEqual([50, 52, 'xy']);
    w.clear();
    w.push(7, bytes('z'));
    expect([w.start, w.end]).toEqual([7, 8]);
  });
});

describe('time column', () => {
  it('server time as HH:MM:SS.mmm in the page\'s zone', () => {
    expect(formatClock(new Date(2025, 10, 30, 9, 5, 7, 42).getTime())).toBe('09:05:07.042');
  });

  it('delta from the previous line, with minutes and hours when long', () => {
    expect(formatDelta(null)).toBe('+—');
    expect(formatDelta(0)).toBe('+0.000');
    expect(formatDelta(250.4)).toBe('+0.250');
    expect(formatDelta(12_003)).toBe('+12.003');
    expect(formatDelta(125_000)).toBe('+2:05.000');
    expect(formatDelta(3_723_000)).toBe('+1:02:03.000');
    const a = line(0, new Date(2025, 0, 1, 10, 0, 0, 0).getTime(), 'a');
    const b = line(2, a.timeMs + 1500, 'b');
    expect(timeColumn(b, a, 'delta')).toBe('+1.500');
    expect(timeColumn(b, a, 'clock')).toBe('10:00:01.500');
    expect(timeColumn(a, null, 'delta')).toBe('+—');
  });
});

describe('line list', () => {
  it('completes a partial line in place and drops the oldest past its bound, counting them', () => {
    const list = new LineList(3);
    list.add(line(0, 1, '> ', true));
    list.add(line(0, 1, '> status'));
    expect(list.lines().map((l) => [l.text, l.partial])).toEqual([['> status', false]]);
    for (let i = 1; i <= 4; i++) list.add(line(i * 10, i, `l${i}`));
    expect(list.lines().map((l) => l.text)).toEqual(['l2', 'l3', 'l4']);
    expect(list.dropped).toBe(2);
  });
});

const note = (offset: number, writeOffset: number, text: string, timeMs = 1000): WriteNote => ({ offset, writeOffset, name: 'alice', source: 'ws:1@127.0.0.1', text, timeMs });

describe('writes among the lines', () => {
  it('keeps writes in stream order, each once, and forgets those before the lines held', () => {
    const writes = new WriteList(3);
    expect(writes.add(note(20, 5, 'b'))).toBe(true);
    expect(writes.add(note(10, 0, 'a'))).toBe(true);
    expect(writes.add(note(20, 9, 'c'))).toBe(true); // same offset: after the one that came first
    expect(writes.add(note(10, 0, 'a'))).toBe(false); // a resumed stream's replay
    expect(writes.writes().map((w) => w.text)).toEqual(['a', 'b', 'c']);
    writes.add(note(30, 12, 'd'));
    expect(writes.writes().map((w) => w.text)).toEqual(['b', 'c', 'd']); // bounded: the oldest goes
    writes.dropBefore(25);
    expect(writes.writes().map((w) => w.text)).toEqual(['d']);
    writes.dropBefore(99);
    expect(writes.writes()).toEqual([]);
  });

  it('puts a write after the lines that ended before it came: above the prompt line that echoes it and the reply', () => {
    const prompt = line(0, 1000, '> status'); // "> " printed, then the echo of the write made at offset 2
    const reply = line(prompt.endOffset, 1100, 'uptime 2 s');
    const boot = note(0, 0, 'boot?');
    const typed = note(2, 4, 'status', 1050);
    const late = note(reply.endOffset, 10, 'help', 1300);
    const rows = mergeRows([prompt, reply], [boot, typed, late]);
    expect(rows.map((r) => (r.kind === 'line' ? r.line.text : `alice> ${r.note.text}`))).toEqual(['alice> boot?', 'alice> status', '> status', 'uptime 2 s', 'alice> help']);
    expect(rows.map((r) => r.previous?.text ?? null)).toEqual([null, null, null, '> status', 'uptime 2 s']);
    expect(mergeRows([prompt], [])).toEqual([{ kind: 'line', line: prompt, previous: null }]);
    // The time column: the server's clock, or the delta from the device line before it.
    expect(writeTimeColumn(late, reply, 'delta')).toBe('+0.200');
    expect(writeTimeColumn(boot, null, 'delta')).toBe('+—');
    expect(writeTimeColumn(late, reply, 'clock')).toBe(formatClock(1300));
  });
});

describe('filters', () => {
  const texts = ['temp:21.4', 'ERROR: sensor', 'boot ok', 'warn: low', 'temp:22.0'];

  it('hide hides matches; only shows only matches; a hide wins over an only', () => {
    const hide = new CompiledFilters([filter({ pattern: '^temp' })]);
    expect(texts.filter((t) => hide.apply(t).shown)).toEqual(['ERROR: sensor', 'boot ok', 'warn: low']);
    const only = new CompiledFilters([filter({ id: 'o', action: 'only', pattern: 'error|warn', flags: 'i' })]);
    expect(texts.filter((t) => only.apply(t).shown)).toEqual(['ERROR: sensor', 'warn: low']);
    const both = new CompiledFilters([filter({ id: 'o', action: 'only', pattern: 'error|warn', flags: 'i' }), filter({ id: 'h', pattern: 'low' })]);
    expect(texts.filter((t) => both.apply(t).shown)).toEqual(['ERROR: sensor']);
  });

  it('highlight colours with the first matching highlight and hides nothing; disabled filters do nothing', () => {
    const f = new CompiledFilters([
      filter({ id: 'a', action: 'highlight', pattern: 'ERROR', colour: 'red' }),
      filter({ id: 'b', action: 'highlight', pattern: 'sensor|temp', colour: 'cyan' }),
      filter({ id: 'c', pattern: '.', enabled: false }),
    ]);
    expect(texts.map((t) => f.apply(t))).toEqual([
      { shown: true, colour: 'cyan' },
      { shown: true, colour: 'red' },
      { shown: true, colour: null },
      { shown: true, colour: null },
      { shown: true, colour: 'cyan' },
    ]);
    expect(f.hidesAny).toBe(false);
    expect(countHidden(f, texts)).toBe(0);
  });

  it('counts what it hides, and says so; a pattern that does not compile is reported, not applied', () => {
    const f = new CompiledFilters([filter({ pattern: 'temp' }), filter({ id: 'bad', pattern: '(' })]);
    expect(countHidden(f, texts)).toBe(2);
    expect(f.problems).toHaveLength(1);
    expect(f.problems[0]).toMatch(/^bad: /);
    expect(hiddenNotice(0, 5)).toBeNull();
    expect(hiddenNotice(2, 5)).toMatch(/^2 of 5 lines hidden by filters/);
  });

  it('a global-looking test never skips lines (no lastIndex state: flags are "" or "i")', () => {
    const f = new CompiledFilters([filter({ pattern: 'temp' })]);
    expect([1, 2, 3].map(() => f.apply('temp:1').shown)).toEqual([false, false, false]);
  });

  it('new ids do not clash', () => {
    expect(nextFilterId([])).toBe('f1');
    expect(nextFilterId(['f1', 'f3'])).toBe('f2');
  });
});
