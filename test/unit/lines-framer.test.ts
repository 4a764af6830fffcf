import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LINE_QUIET_MS, LineFramer, type FramedLine } from '../../server/lines/line-framer.js';

const enc = new TextEncoder();
const bytesOf = (text: string) => enc.encode(text);

/** Pushes [text, offset, timeMs] chunks and returns every line. */
function frame(framer: LineFramer, chunks: Array<[string | Uint8Array, number, number]>): FramedLine[] {
  const out: FramedLine[] = [];
  for (const [data, offset, timeMs] of chunks) out.push(...framer.push(typeof data === 'string' ? bytesOf(data) : data, offset, timeMs));
  return out;
}

describe('line framer: endings', () => {
  it('ends lines at LF, CRLF and a lone CR, with offsets covering the ending', () => {
    const lines = frame(new LineFramer(), [['a\nbb\r\nccc\rd\n', 0, 1000]]);
    expect(lines.map((l) => [l.text, l.offset, l.endOffset])).toEqual([
      ['a', 0, 2],
      ['bb', 2, 6],
      ['ccc', 6, 10],
      ['d', 10, 12],
    ]);
    expect(lines.every((l) => !l.partial && l.cut === undefined)).toBe(true);
  });

  it('keeps empty lines', () => {
    const lines = frame(new LineFramer(), [['\r\n\n', 0, 5]]);
    expect(lines.map((l) => [l.text, l.offset, l.endOffset])).toEqual([
      ['', 0, 2],
      ['', 2, 3],
    ]);
  });

  it('a CR at the end of a chunk followed by LF in the next is one CRLF ending', () => {
    const lines = frame(new LineFramer(), [
      ['temp 21\r', 0, 1000],
      ['\nhum 40\r\n', 8, 1001],
    ]);
    expect(lines.map((l) => [l.text, l.offset, l.endOffset])).toEqual([
      ['temp 21', 0, 9],
      ['hum 40', 9, 17],
    ]);
  });

  it('a CR at the end of a chunk followed by anything else ends the line there', () => {
    const lines = frame(new LineFramer(), [
      ['50%\r', 0, 1000],
      ['60%\r', 4, 1010],
      ['x', 8, 1020],
    ]);
    expect(lines.map((l) => [l.text, l.offset, l.endOffset])).toEqual([
      ['50%', 0, 4],
      ['60%', 4, 8],
    ]);
  });

  it('a CR held through a quiet period ends its line; an LF arriving right after it is part of that ending', () => {
    const framer = new LineFramer();
    expect(frame(framer, [['ok\r', 0, 1000]])).toEqual([]);
    const quiet = framer.idle(1000 + LINE_QUIET_MS);
    expect(quiet.map((l) => [l.text, l.offset, l.endOffset, l.partial])).toEqual([['ok', 0, 3, false]]);
    const next = frame(framer, [['\nnext\n', 3, 2000]]);
    expect(next.map((l) => [l.text, l.offset, l.endOffset])).toEqual([['next', 4, 9]]);
  });
});

describe('line framer: times', () => {
  it('stamps a line with the arrival of its first byte, not its last (platformio-core #3712)', () => {
    const lines = frame(new LineFramer(), [
      ['{"temp":', 0, 1000],
      ['21.4}\n', 8, 1090],
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.timeMs).toBe(1000);
  });

  it('a line starting inside a chunk takes that chunk arrival time, not the previous line', () => {
    const lines = frame(new LineFramer(), [
      ['first\nsec', 0, 1000],
      ['ond\nthird\n', 9, 1100],
    ]);
    expect(lines.map((l) => [l.text, l.timeMs])).toEqual([
      ['first', 1000],
      ['second', 1000],
      ['third', 1100],
    ]);
  });
});

describe('line framer: partial lines', () => {
  it('shows a prompt as partial after the quiet period, once, then the complete line with the same offset', () => {
    const framer = new LineFramer();
    expect(frame(framer, [['boot\n> ', 0, 1000]]).map((l) => l.text)).toEqual(['boot']);
    expect(framer.idle(1000 + LINE_QUIET_MS - 1)).toEqual([]);
    const partial = framer.idle(1000 + LINE_QUIET_MS);
    expect(partial).toEqual([{ offset: 5, endOffset: 7, timeMs: 1000, text: '> ', partial: true }]);
    expect(framer.idle(5000)).toEqual([]); // not grown: not shown again
    const done = frame(framer, [['help\n', 7, 6000]]);
    expect(done).toEqual([{ offset: 5, endOffset: 12, timeMs: 1000, text: '> help', partial: false }]);
  });

  it('re-emits a partial that grew, and detects quiet from arrival gaps alone (a replay frames as live did)', () => {
    const framer = new LineFramer();
    const lines = frame(framer, [
      ['Pass', 0, 0],
      ['word: ', 4, 500],
      ['****\n', 10, 1000],
    ]);
    expect(lines.map((l) => [l.text, l.offset, l.partial])).toEqual([
      ['Pass', 0, true],
      ['Password: ', 0, true],
      ['Password: ****', 0, false],
    ]);
  });
});

describe('line framer: limits and gaps', () => {
  it('cuts a runaway line at the length limit and continues at the cut offset', () => {
    const lines = frame(new LineFramer({ maxLineBytes: 8 }), [['0123456789ab\n', 0, 7]]);
    expect(lines.map((l) => [l.text, l.offset, l.endOffset, l.cut])).toEqual([
      ['01234567', 0, 8, 'max-length'],
      ['89ab', 8, 13, undefined],
    ]);
  });

  it('never cuts inside a UTF-8 sequence; the carried bytes keep their own arrival time', () => {
    const framer = new LineFramer({ maxLineBytes: 4 });
    const lines = frame(framer, [
      ['aa', 0, 10],
      ['aé\n', 2, 20], // a, 0xC3 0xA9: the limit falls between é's two bytes
    ]);
    expect(lines.map((l) => [l.text, l.offset, l.endOffset, l.timeMs, l.cut])).toEqual([
      ['aaa', 0, 3, 10, 'max-length'],
      ['é', 3, 6, 20, undefined],
    ]);
  });

  it('decodes a character split across chunks whole', () => {
    const bytes = bytesOf('°C→✓😀\n');
    const lines = frame(new LineFramer(), [
      [bytes.subarray(0, 1), 0, 1],
      [bytes.subarray(1, 5), 1, 2],
      [bytes.subarray(5, 11), 5, 3],
      [bytes.subarray(11), 11, 4],
    ]);
    expect(lines.map((l) => l.text)).toEqual(['°C→✓😀']);
  });

  it('ends the open line at a gap in the stream, and starts again at the new offset', () => {
    const lines = frame(new LineFramer(), [
      ['abc', 0, 1],
      ['x\n', 100, 2],
    ]);
    expect(lines.map((l) => [l.text, l.offset, l.endOffset, l.cut])).toEqual([
      ['abc', 0, 3, 'gap'],
      ['x', 100, 102, undefined],
    ]);
  });
});

// ---- properties ----

interface Arrival {
  bytes: Uint8Array;
  timeMs: number;
}

/** Arrivals with byte content biased towards line endings, and increasing times with gaps below `maxGapMs`. */
function arrivals(maxGapMs: number) {
  const byte = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.constantFrom(0x0a, 0x0d) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
  );
  return fc.array(
    fc.record({
      bytes: fc.array(byte, { minLength: 1, maxLength: 24 }).map((a) => Uint8Array.from(a)),
      gap: fc.integer({ min: 0, max: maxGapMs }),
    }),
    { maxLength: 30 },
  ).map((list) => {
    let t = 1_700_000_000_000;
    return list.map(({ bytes, gap }): Arrival => ({ bytes, timeMs: (t += gap) }));
  });
}

/** Frames arrivals, each split at the given cut fractions (a re-chunking of the same arrivals: sub-chunks keep their arrival's time). */
function frameArrivals(list: Arrival[], splits: number[][], maxLineBytes?: number): FramedLine[] {
  const framer = new LineFramer(maxLineBytes ? { maxLineBytes } : {});
  const out: FramedLine[] = [];
  let offset = 0;
  list.forEach((arrival, k) => {
    const cuts = [...new Set((splits[k] ?? []).map((f) => Math.floor(f * arrival.bytes.byteLength)))].sort((a, b) => a - b);
    let from = 0;
    for (const cut of [...cuts, arrival.bytes.byteLength]) {
      if (cut <= from) continue;
      out.push(...framer.push(arrival.bytes.subarray(from, cut), offset + from, arrival.timeMs));
      from = cut;
    }
    offset += arrival.bytes.byteLength;
  });
  return out;
}

/** The reference: a byte-at-a-time scan of the whole stream, each line stamped with the time of its first byte (an empty line: its ending's). */
function reference(list: Arrival[]): Array<Pick<FramedLine, 'offset' | 'endOffset' | 'timeMs' | 'text'>> {
  const bytes: number[] = [];
  const times: number[] = [];
  for (const a of list) for (const b of a.bytes) (bytes.push(b), times.push(a.timeMs));
  const out = [];
  const dec = new TextDecoder();
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x0a && b !== 0x0d) continue;
    if (b === 0x0d && i + 1 === bytes.length) break; // a final CR: its ending is not known yet
    const end = b === 0x0d && bytes[i + 1] === 0x0a ? i + 2 : i + 1;
    out.push({ offset: start, endOffset: end, timeMs: times[start]!, text: dec.decode(Uint8Array.from(bytes.slice(start, i))) });
    start = end;
    i = end - 1;
  }
  return out;
}

const strip = (l: FramedLine) => ({ offset: l.offset, endOffset: l.endOffset, timeMs: l.timeMs, text: l.text });

describe('line framer: properties', () => {
  const splits = fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), { maxLength: 30 });

  it('any chunking of the same arrivals gives the same lines, each stamped with its first byte arrival', () => {
    fc.assert(
      fc.property(arrivals(LINE_QUIET_MS - 1), splits, (list, cuts) => {
        const whole = frameArrivals(list, []);
        const chunked = frameArrivals(list, cuts);
        expect(chunked).toEqual(whole);
        expect(whole.map(strip)).toEqual(reference(list));
        expect(whole.every((l) => !l.partial)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('with quiet gaps, partials appear but the complete lines are unchanged (same offsets, times and text), and every partial prefixes its line', () => {
    fc.assert(
      fc.property(arrivals(3 * LINE_QUIET_MS), splits, (list, cuts) => {
        const lines = frameArrivals(list, cuts);
        const complete = lines.filter((l) => !l.partial);
        const ref = reference(list);
        // A CR held through a quiet period ends before the LF that follows it: compare all but endOffset.
        expect(complete.map((l) => [l.offset, l.timeMs, l.text])).toEqual(ref.map((l) => [l.offset, l.timeMs, l.text]));
        for (const partial of lines.filter((l) => l.partial)) {
          const whole = complete.find((l) => l.offset === partial.offset);
          if (whole) expect(whole.text.startsWith(partial.text.replace(/\uFFFD$/u, ''))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with a small length limit, any chunking still gives the same lines, none longer than the limit', () => {
    fc.assert(
      fc.property(arrivals(LINE_QUIET_MS - 1), splits, fc.integer({ min: 4, max: 12 }), (list, cuts, max) => {
        const whole = frameArrivals(list, [], max);
        expect(frameArrivals(list, cuts, max)).toEqual(whole);
        for (const line of whole) expect(enc.encode(line.text).byteLength <= max || line.text.includes('\uFFFD')).toBe(true);
        // Lines tile the stream: each starts where the previous ended.
        for (let i = 1; i < whole.length; i++) expect(whole[i]!.offset).toBe(whole[i - 1]!.endOffset);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes any Unicode text exactly, whatever the byte-level chunking', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ''));
    fc.assert(
      fc.property(fc.array(text, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (texts, cutsRaw) => {
        const bytes = enc.encode(texts.map((t) => `${t}\n`).join(''));
        const cuts = [...new Set(cutsRaw.map((c) => c % (bytes.byteLength + 1)))].sort((a, b) => a - b);
        const framer = new LineFramer();
        const out: FramedLine[] = [];
        let from = 0;
        for (const cut of [...cuts, bytes.byteLength]) {
          if (cut <= from) continue;
          out.push(...framer.push(bytes.subarray(from, cut), from, 1000));
          from = cut;
        }
        expect(out.map((l) => l.text)).toEqual(texts);
      }),
      { numRuns: 300 },
    );
  });
});
