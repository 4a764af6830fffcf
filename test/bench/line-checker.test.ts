// The benchmark's stream check must catch every kind of damage, or its zeros mean nothing.
import { describe, expect, it } from 'vitest';
import { LineChecker } from './line-checker.js';
import { lineTemplate, writeLine, writePrimeLine } from './line-format.js';

const L = 40;
const template = lineTemplate(L);

/** Lines `seqs` (in that order), each stamped 1 ms before `now`. */
function lines(seqs: number[], stampNs = 1_000_000n): Buffer {
  const out = Buffer.alloc(seqs.length * L);
  seqs.forEach((seq, i) => writeLine(out, i * L, template, seq, stampNs));
  return out;
}

function prime(): Buffer {
  const out = Buffer.alloc(L);
  writePrimeLine(out, 0, template, 0n);
  return out;
}

describe('LineChecker', () => {
  it('accepts an intact stream in any chunking, after priming lines', () => {
    const checker = new LineChecker(L, true);
    const stream = Buffer.concat([prime(), prime(), lines([0, 1, 2, 3, 4])]);
    for (let i = 0; i < stream.length; i += 7) checker.push(stream.subarray(i, i + 7), 2_000_000);
    const r = checker.finish(5);
    expect(r).toMatchObject({ goodLines: 5, lostBytes: 0, reorderedBytes: 0, corruptedBytes: 0 });
    expect(r.latenciesMs).toEqual([1, 1, 1, 1, 1]);
  });

  it('keeps the warm-up lines\' latencies apart, and checks them too', () => {
    const checker = new LineChecker(L, true, 3);
    checker.push(Buffer.concat([prime(), lines([0, 1, 2, 3, 4])]), 2_000_000);
    const r = checker.finish(5);
    expect(r).toMatchObject({ goodLines: 5, lostBytes: 0 });
    expect(r.latenciesMs).toEqual([1, 1]);
    expect(r.warmupLatenciesMs).toEqual([1, 1, 1]);
  });

  it('counts a missing line and a missing tail as lost', () => {
    const checker = new LineChecker(L, false);
    checker.push(lines([0, 2, 3]), 0);
    expect(checker.finish(5)).toMatchObject({ goodLines: 3, lostBytes: 2 * L });
  });

  it('counts a line that comes after a later one as reordered', () => {
    const checker = new LineChecker(L, false);
    checker.push(lines([0, 2, 1, 3]), 0);
    expect(checker.finish(4)).toMatchObject({ reorderedBytes: L, lostBytes: L });
  });

  it('counts a changed byte and a cut line as corrupted, and resynchronises on the next newline', () => {
    const damaged = lines([0, 1, 2, 3]);
    damaged[L + 35] = 0x21; // "!" inside line 1's filler, where no "!" belongs
    const cut = Buffer.concat([damaged.subarray(0, 2 * L + 10), damaged.subarray(3 * L)]); // line 2 loses its tail
    const checker = new LineChecker(L, false);
    checker.push(cut, 0);
    const r = checker.finish(4);
    // Line 1 up to its newline; then line 2's head runs into line 3, up to line 3's newline.
    expect(r.corruptedBytes).toBe(L + 10 + L);
    expect(r.goodLines).toBe(1);
    expect(r.lostBytes).toBe(3 * L);
  });

  it('does not count an announced skip as damage', () => {
    const checker = new LineChecker(L, false);
    const all = lines([0, 1, 2, 3, 4, 5]);
    checker.push(all.subarray(0, L + 5), 0);
    checker.skipped(2 * L);
    checker.push(all.subarray(3 * L + 5), 0);
    expect(checker.finish(6)).toMatchObject({
      goodLines: 3,
      lostBytes: 0,
      corruptedBytes: 0,
      skipNotices: 1,
      announcedSkippedBytes: 2 * L,
    });
  });

  it('resolves reached() once the last line arrives', async () => {
    const checker = new LineChecker(L, false);
    const reached = checker.reached(2);
    checker.push(lines([0, 1]), 0);
    await expect(reached).resolves.toBeUndefined();
  });
});
