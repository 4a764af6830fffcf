import { describe, expect, it } from 'vitest';
import { ArrivalIndex } from '../../server/lines/arrival-index.js';

describe('arrival index', () => {
  it('finds the chunk holding an offset, with where the next one starts', () => {
    const index = new ArrivalIndex();
    index.add(0, 100);
    index.add(10, 200);
    index.add(25, 300);
    expect(index.lookup(0)).toEqual({ timeMs: 100, nextOffset: 10 });
    expect(index.lookup(24)).toEqual({ timeMs: 200, nextOffset: 25 });
    expect(index.lookup(1000)).toEqual({ timeMs: 300, nextOffset: null });
  });

  it('drops chunks the reader has passed but keeps the one holding its offset', () => {
    const index = new ArrivalIndex();
    for (let i = 0; i < 5; i++) index.add(i * 10, i);
    index.dropBefore(25);
    expect(index.start).toBe(20);
    expect(index.lookup(19)).toBeNull();
    expect(index.lookup(25)?.timeMs).toBe(2);
  });

  it('is bounded: past its size the oldest entries go (the reader then reads those times from the capture)', () => {
    const index = new ArrivalIndex(100);
    for (let i = 0; i < 5000; i++) index.add(i, i);
    expect(index.size).toBe(100);
    expect(index.start).toBe(4900);
    expect(index.lookup(4899)).toBeNull();
  });
});
