// The per-port filter store and its checks, in one process on a temporary directory: patterns are
// compiled (never run), ids unique; a list is written atomically beside the capture and read back;
// a broken file is set aside, not lost; without a data directory the list lives in memory.
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filterListProblem, patternProblem, PortFilterStore } from '../../server/ports/port-filters.js';
import { MAX_FILTER_PATTERN_CHARS, type LineFilter } from '../../server/wire/api.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'serialdeck-filters-'));
  dirs.push(dir);
  return dir;
}

const filter = (over: Partial<LineFilter> = {}): LineFilter => ({ id: 'a', pattern: 'x', flags: '', action: 'hide', colour: 'yellow', enabled: true, ...over });

describe('pattern and list checks', () => {
  it('accepts patterns that compile, refuses the rest with the engine\'s reason', () => {
    expect(patternProblem('ERR|WARN', '')).toBeNull();
    expect(patternProblem('^temp:\\s*\\d+', 'i')).toBeNull();
    expect(patternProblem('(a+)+$', '')).toBeNull(); // compiles; only the pages run it
    expect(patternProblem('(', '')).toMatch(/^does not compile: .*/);
    expect(patternProblem('a{2,1}', '')).toMatch(/does not compile/);
    expect(patternProblem('', '')).toBe('is empty');
    expect(patternProblem('x'.repeat(MAX_FILTER_PATTERN_CHARS + 1), '')).toMatch(/over 200 characters/);
  });

  it('names the first duplicate id or broken pattern by its place', () => {
    expect(filterListProblem([filter(), filter({ id: 'b' })])).toBeNull();
    expect(filterListProblem([filter(), filter()])).toBe('filters/1/id "a" is used twice');
    expect(filterListProblem([filter(), filter({ id: 'b', pattern: '[' })])).toMatch(/^filters\/1\/pattern "\[" does not compile/);
  });
});

describe('PortFilterStore', () => {
  it('writes beside the capture and a new store reads the same list', async () => {
    const dataDir = await tempDir();
    const logs: string[] = [];
    const store = new PortFilterStore({ dataDir, log: (l) => logs.push(l), now: () => 1234 });
    expect(await store.get('uno')).toEqual({ filters: [], persisted: true, updatedMs: null });
    await store.put('uno', [filter()]);
    const again = new PortFilterStore({ dataDir, log: (l) => logs.push(l) });
    expect(await again.get('uno')).toEqual({ filters: [filter()], persisted: true, updatedMs: 1234 });
    expect(await again.get('other')).toEqual({ filters: [], persisted: true, updatedMs: null });
    expect((await readdir(join(dataDir, 'ports', 'uno'))).sort()).toEqual(['filters.json']); // no temp file left
    expect(logs).toEqual([]);
  });

  it('applies puts in order', async () => {
    const dataDir = await tempDir();
    const store = new PortFilterStore({ dataDir, log: () => undefined });
    const puts = Array.from({ length: 5 }, (_, i) => store.put('uno', [filter({ id: `f${i}` })]));
    await Promise.all(puts);
    expect((await store.get('uno')).filters).toEqual([filter({ id: 'f4' })]);
    const file = JSON.parse(await readFile(join(dataDir, 'ports', 'uno', 'filters.json'), 'utf8')) as { filters: LineFilter[] };
    expect(file.filters).toEqual([filter({ id: 'f4' })]);
  });

  it('sets a broken file aside as filters.json.bad, logs it, and starts empty', async () => {
    const dataDir = await tempDir();
    const dir = join(dataDir, 'ports', 'uno');
    await mkdir(dir, { recursive: true });
    for (const text of ['{not json', JSON.stringify({ version: 1, filters: [filter({ pattern: '(' })] })]) {
      await writeFile(join(dir, 'filters.json'), text);
      const logs: string[] = [];
      const store = new PortFilterStore({ dataDir, log: (l) => logs.push(l) });
      expect((await store.get('uno')).filters).toEqual([]);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(/^uno: filters: .*filters\.json (is not JSON|filters\/0\/pattern).*kept as filters\.json\.bad/);
      expect(await readFile(join(dir, 'filters.json.bad'), 'utf8')).toBe(text);
    }
  });

  it('keeps the old list when the file cannot be written', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'ports'), 'a file where the ports directory should be');
    const store = new PortFilterStore({ dataDir, log: () => undefined });
    await expect(store.put('uno', [filter()])).rejects.toThrow();
    expect((await store.get('uno')).filters).toEqual([]);
  });

  it('tells watchers of a port each saved list, in order, once it is on disk; not after they stop, not for a failed put', async () => {
    const dataDir = await tempDir();
    const logs: string[] = [];
    let clock = 100;
    const store = new PortFilterStore({ dataDir, log: (l) => logs.push(l), now: () => clock++ });
    const heard: Array<{ told: string[]; onDisk: string[] }> = [];
    const stop = store.watch('uno', (next) => {
      // Told after the write: the file already holds what the watcher hears.
      const file = JSON.parse(readFileSync(join(dataDir, 'ports', 'uno', 'filters.json'), 'utf8')) as { filters: LineFilter[] };
      heard.push({ told: next.filters.map((f) => f.id), onDisk: file.filters.map((f) => f.id) });
    });
    const other: unknown[] = [];
    store.watch('other', (next) => other.push(next));
    const thrower = store.watch('uno', () => {
      throw new Error('a broken watcher');
    });
    const puts = [store.put('uno', [filter({ id: 'f1' })]), store.put('uno', [filter({ id: 'f2' })])];
    const saved = await Promise.all(puts);
    expect(heard).toEqual([{ told: ['f1'], onDisk: ['f1'] }, { told: ['f2'], onDisk: ['f2'] }]);
    expect(saved.map((s) => s.updatedMs)).toEqual([100, 101]);
    expect(other).toEqual([]); // another port's watchers hear nothing
    expect(logs).toEqual(['uno: filters: a watcher failed: a broken watcher', 'uno: filters: a watcher failed: a broken watcher']); // logged, the others still told
    thrower();

    // The file fails: the put rejects and no one is told.
    const failing = new PortFilterStore({ dataDir: join(dataDir, 'ports', 'uno', 'filters.json'), log: () => undefined });
    const told: unknown[] = [];
    failing.watch('uno', (next) => told.push(next));
    await expect(failing.put('uno', [filter()])).rejects.toThrow();
    expect(told).toEqual([]);

    // After unsubscribing, no more.
    stop();
    await store.put('uno', []);
    expect(heard).toHaveLength(2);
  });

  it('without a data directory keeps lists in memory, marked not persisted', async () => {
    const store = new PortFilterStore({ dataDir: null, log: () => undefined, now: () => 5 });
    expect(store.persisted).toBe(false);
    expect(await store.put('uno', [filter()])).toEqual({ filters: [filter()], persisted: false, updatedMs: 5 });
    expect(await store.get('uno')).toEqual({ filters: [filter()], persisted: false, updatedMs: 5 });
  });
});
