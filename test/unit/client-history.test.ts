import { describe, expect, it } from 'vitest';
import { HISTORY_STORAGE_KEY, LineHistory, parseHistory } from '../../client/controls/history.js';
import { memoryStore } from './client-fakes.js';

describe('LineHistory', () => {
  it('walks older with previous and newer with next, then returns the draft', () => {
    const history = new LineHistory(memoryStore());
    history.add('help');
    history.add('status');
    expect(history.previous('dra')).toBe('status');
    expect(history.previous('ignored')).toBe('help');
    expect(history.previous('ignored')).toBeNull();
    expect(history.next()).toBe('status');
    expect(history.next()).toBe('dra');
    expect(history.next()).toBeNull();
  });

  it('skips empty lines and consecutive repeats, but keeps non-consecutive repeats', () => {
    const history = new LineHistory(memoryStore());
    for (const line of ['a', 'a', '', '   ', 'b', 'a']) history.add(line);
    expect(history.entries()).toEqual(['a', 'b', 'a']);
  });

  it('persists across instances through the store', () => {
    const store = memoryStore();
    new LineHistory(store).add('led on');
    const reloaded = new LineHistory(store);
    expect(reloaded.entries()).toEqual(['led on']);
    expect(reloaded.previous('')).toBe('led on');
  });

  it('caps the number of lines, dropping the oldest', () => {
    const store = memoryStore();
    const history = new LineHistory(store, 3);
    for (const line of ['1', '2', '3', '4', '5']) history.add(line);
    expect(history.entries()).toEqual(['3', '4', '5']);
    expect(JSON.parse(store.data.get(HISTORY_STORAGE_KEY) ?? 'null')).toEqual(['3', '4', '5']);
  });

  it('starts the next walk from the newest line after add or reset', () => {
    const history = new LineHistory(memoryStore());
    history.add('one');
    history.add('two');
    history.previous('');
    history.previous('');
    history.reset();
    expect(history.previous('')).toBe('two');
    history.add('three');
    expect(history.previous('')).toBe('three');
  });

  it('survives malformed stored history', () => {
    expect(parseHistory('{not json')).toEqual([]);
    expect(parseHistory('{"a":1}')).toEqual([]);
    expect(parseHistory('["ok", 3, null, "fine"]')).toEqual(['ok', 'fine']);
    expect(new LineHistory(memoryStore({ [HISTORY_STORAGE_KEY]: 'garbage' })).entries()).toEqual([]);
  });
});
