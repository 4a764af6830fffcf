import { readdir, readFile, rm, stat, truncate, writeFile, open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CAPTURE_RECOVERY_EVENT,
  CaptureStore,
  RESERVE_STEP_BYTES,
  type CaptureOptions,
  type CaptureRecord,
} from '../../server/capture/capture-store.js';
import { INDEX_STRIDE_BYTES } from '../../server/capture/segment-index.js';
import { collect, concat, dataOf, patternBytes, tempDir, testOptions, utf8, waitForStore } from './capture-fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(overrides: Partial<CaptureOptions> = {}) {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  const t = testOptions(tmp.dir, overrides);
  const stores: CaptureStore[] = [];
  cleanups.push(async () => {
    for (const s of stores) await s.close();
  });
  const openStore = async () => {
    const store = await CaptureStore.open(t.options);
    stores.push(store);
    return store;
  };
  return { ...t, dir: tmp.dir, openStore };
}

const segmentFiles = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.cap')).sort();

/** Appends `count` pattern chunks of `size` bytes, time stepping by `stepMs`, flushing every `flushEvery`. */
async function appendPattern(store: CaptureStore, count: number, size: number, t0: number, stepMs: number, flushEvery = 1) {
  for (let i = 0; i < count; i++) {
    store.appendData(patternBytes(store.end, size), t0 + i * stepMs);
    if ((i + 1) % flushEvery === 0) await store.flush();
  }
  await store.flush();
}

describe('CaptureStore: round trip and reopen', () => {
  it('stores data, writes and events with offsets and sub-ms times, and reads them back in order', async () => {
    const { openStore } = await setup();
    const store = await openStore();
    expect(store.resumeOffset).toBe(0);
    expect(store.lostOnOpen).toBeNull();
    expect(store.streamId).toMatch(/^[0-9a-f-]{36}$/);
    store.appendEvent({ type: 'open', path: '/dev/ttyUSB0', baud: 115200 }, 1000.5);
    store.appendData(utf8('hello '), 1001.25);
    store.appendWrite(utf8('help\r'), 1002.125, 'ws:tab-3f2a');
    store.appendData(utf8('world\n'), 1003);
    store.appendEvent({ type: 'close' }, 1004);
    expect(store.end).toBe(12);
    await store.flush();
    const records = await collect(store.records(0, Infinity));
    expect(records).toEqual([
      { kind: 'event', offset: 0, timeMs: 1000.5, event: { type: 'open', path: '/dev/ttyUSB0', baud: 115200 } },
      { kind: 'data', offset: 0, timeMs: 1001.25, bytes: utf8('hello ') },
      { kind: 'write', offset: 6, timeMs: 1002.125, bytes: utf8('help\r'), source: 'ws:tab-3f2a' },
      { kind: 'data', offset: 6, timeMs: 1003, bytes: utf8('world\n') },
      { kind: 'event', offset: 12, timeMs: 1004, event: { type: 'close' } },
    ]);
    const { offset, chunks } = await store.readData(0, 100);
    expect(offset).toBe(0);
    expect(new TextDecoder().decode(concat(chunks))).toBe('hello world\n');
    expect((await store.readData(3, 4)).chunks.map((c) => new TextDecoder().decode(c)).join('')).toBe('lo w');
    expect((await store.readData(12, 10)).chunks).toEqual([]);
    expect(store.start).toBe(0);
    expect(store.stats.segments).toBe(1);
    expect(store.stats.startTimeMs).toBe(1000.5);
    const kindsOnly = await collect(store.records(0, Infinity, { kinds: ['write', 'event'] }));
    expect(kindsOnly.map((r) => r.kind)).toEqual(['event', 'write', 'event']);
  });

  it('trims data records to the range and includes writes/events at its edges', async () => {
    const { openStore } = await setup();
    const store = await openStore();
    store.appendData(utf8('0123456789'), 1);
    store.appendEvent({ type: 'mark' }, 2); // offset 10
    store.appendData(utf8('abcdefghij'), 3);
    await store.flush();
    const records = await collect(store.records(5, 15));
    expect(records).toEqual([
      { kind: 'data', offset: 5, timeMs: 1, bytes: utf8('56789') },
      { kind: 'event', offset: 10, timeMs: 2, event: { type: 'mark' } },
      { kind: 'data', offset: 10, timeMs: 3, bytes: utf8('abcde') },
    ]);
    const controller = new AbortController();
    const seen: CaptureRecord[] = [];
    for await (const r of store.records(0, Infinity, { signal: controller.signal })) {
      seen.push(r);
      controller.abort();
    }
    expect(seen).toHaveLength(1);
  });

  it('continues at exactly the previous end with the same stream id after a clean close', async () => {
    const { openStore } = await setup();
    const first = await openStore();
    first.appendData(utf8('abc'), 1);
    first.appendEvent({ type: 'baud', baud: 9600 }, 2);
    first.appendData(utf8('defg'), 3);
    await first.close();
    await first.close(); // safe twice
    first.appendData(utf8('ignored'), 4); // after close: ignored, never throws
    const second = await openStore();
    expect(second.streamId).toBe(first.streamId);
    expect(second.resumeOffset).toBe(7);
    expect(second.end).toBe(7);
    expect(second.lostOnOpen).toBeNull();
    expect(second.deliverLimit).toBe(7 + RESERVE_STEP_BYTES);
    second.appendData(utf8('hij'), 5);
    await second.flush();
    const all = await collect(second.records(0, Infinity));
    expect(new TextDecoder().decode(dataOf(all))).toBe('abcdefghij');
    expect(all.filter((r) => r.kind === 'event')).toHaveLength(1);
  });
});

describe('CaptureStore: rotation and retention', () => {
  it('rotates by size, and reads across segments seamlessly', async () => {
    const { openStore, dir } = await setup({ segmentMaxBytes: 300 });
    const store = await openStore();
    await appendPattern(store, 10, 100, 1000, 1);
    const files = await segmentFiles(dir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(store.stats.segments).toBe(files.length);
    for (const f of files) expect((await stat(join(dir, f))).size).toBeLessThanOrEqual(300 + 128); // past the limit by one flush at most
    const { offset, chunks } = await store.readData(0, 10_000);
    expect(offset).toBe(0);
    expect(concat(chunks)).toEqual(patternBytes(0, 1000));
    expect(dataOf(await collect(store.records(250, 750)))).toEqual(patternBytes(250, 500));
  });

  it('rotates by age on the injected clock', async () => {
    const { openStore, clock } = await setup({ segmentMaxAgeMs: 1000 });
    const store = await openStore();
    store.appendData(utf8('a'), clock.now);
    await store.flush();
    clock.now += 999;
    store.appendData(utf8('b'), clock.now);
    await store.flush();
    expect(store.stats.segments).toBe(1);
    clock.now += 1;
    store.appendData(utf8('c'), clock.now);
    await store.flush();
    expect(store.stats.segments).toBe(2);
  });

  it('deletes the oldest whole segments past retainBytes, moving start and firing onChange', async () => {
    const { openStore, dir, lines } = await setup({ segmentMaxBytes: 300, retainBytes: 1000 });
    const store = await openStore();
    let changes = 0;
    store.onChange(() => changes++);
    await appendPattern(store, 30, 100, 1000, 1);
    const files = await segmentFiles(dir);
    const onDisk = (await Promise.all(files.map((f) => stat(join(dir, f))))).reduce((n, s) => n + s.size, 0);
    expect(store.stats.bytesOnDisk).toBe(onDisk);
    expect(onDisk).toBeLessThanOrEqual(1000);
    expect(store.start).toBeGreaterThan(0);
    expect(store.start % 100).toBe(0); // whole segments of whole records
    expect(changes).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('deleted seg-'))).toBe(true);
    // A reader behind start is moved to the first held byte.
    const { offset, chunks } = await store.readData(0, 150);
    expect(offset).toBe(store.start);
    expect(concat(chunks)).toEqual(patternBytes(store.start, 150));
    expect(store.stats.startTimeMs).toBe(1000 + store.start / 100);
  });

  it('deletes segments whose newest record is older than retainAgeMs, never the newest one', async () => {
    const { openStore, clock } = await setup({ segmentMaxBytes: 200, retainAgeMs: 10_000 });
    const store = await openStore();
    const t0 = clock.now;
    await appendPattern(store, 6, 100, t0, 1000); // records at t0 .. t0 + 5 s, ~3 segments
    const segmentsBefore = store.stats.segments;
    expect(segmentsBefore).toBeGreaterThanOrEqual(3);
    clock.now = t0 + 12_500; // records from before t0 + 2.5 s are now too old
    let changed = false;
    store.onChange(() => (changed = true));
    await store.flush();
    expect(changed).toBe(true);
    expect(store.stats.segments).toBeLessThan(segmentsBefore);
    expect(store.stats.startTimeMs).toBeGreaterThanOrEqual(t0 + 2000);
    expect(store.start).toBeGreaterThan(0);
    clock.now = t0 + 1_000_000; // everything old: the newest segment stays
    await store.flush();
    expect(store.stats.segments).toBe(1);
    expect((await store.readData(0, 1000)).offset).toBe(store.start);
  });
  it('rebuilds a missing or damaged sidecar index by scanning that segment, losing nothing', async () => {
    const { openStore, dir } = await setup({ segmentMaxBytes: 300 });
    const first = await openStore();
    await appendPattern(first, 10, 100, 1000, 1);
    await first.close();
    const sidecars = (await readdir(dir)).filter((n) => n.endsWith('.idx')).sort();
    expect(sidecars.length).toBe((await segmentFiles(dir)).length); // every closed segment has one
    await rm(join(dir, sidecars[1]!));
    await writeFile(join(dir, sidecars[2]!), '{"version":1,');
    const second = await openStore();
    expect(second.resumeOffset).toBe(1000);
    expect(concat((await second.readData(0, 10_000)).chunks)).toEqual(patternBytes(0, 1000));
    expect((await readdir(dir)).filter((n) => n.endsWith('.idx')).length).toBe(sidecars.length);
  });
});

describe('CaptureStore: crash recovery and durable offsets', () => {
  /** Opens a store, writes three data records and flushes; then "crashes" (no close). Returns the last segment's path. */
  async function crashedDir() {
    const ctx = await setup();
    const store = await ctx.openStore();
    ctx.clock.now += 1;
    store.appendData(utf8('first-'), 1);
    store.appendData(utf8('second-'), 2);
    store.appendData(utf8('third'), 3);
    await store.flush();
    const [file] = await segmentFiles(ctx.dir);
    return { ...ctx, crashed: store, path: join(ctx.dir, file!) };
  }

  it('truncates a torn final record with one log line and keeps everything before it', async () => {
    const { openStore, path, lines, crashed } = await crashedDir();
    const size = (await stat(path)).size;
    await truncate(path, size - 3); // the last record torn mid-payload
    lines.length = 0;
    const store = await openStore();
    const truncations = lines.filter((l) => l.includes('torn or corrupt'));
    expect(truncations).toHaveLength(1);
    expect(truncations[0]).toContain('the 2 records before it are intact');
    expect((await stat(path)).size).toBe(size - 3 - (28 + 5 - 3));
    expect(store.streamId).toBe(crashed.streamId);
    expect(store.lostOnOpen).toEqual({ from: 13, to: RESERVE_STEP_BYTES });
    expect(store.resumeOffset).toBe(RESERVE_STEP_BYTES);
    await store.flush();
    const records = await collect(store.records(0, Infinity));
    expect(new TextDecoder().decode(dataOf(records))).toBe('first-second-');
    const recovery = records.find((r) => r.kind === 'event');
    expect(recovery).toMatchObject({
      offset: RESERVE_STEP_BYTES,
      event: { type: CAPTURE_RECOVERY_EVENT, from: 13, to: RESERVE_STEP_BYTES },
    });
  });

  it('finds a corrupt (bit-flipped) final record by its checksum', async () => {
    const { openStore, path, lines } = await crashedDir();
    const size = (await stat(path)).size;
    const handle = await openFile(path, 'r+');
    await handle.write(Uint8Array.of(0x58), 0, 1, size - 2); // inside "third"
    await handle.close();
    lines.length = 0;
    const store = await openStore();
    expect(lines.filter((l) => l.includes('torn or corrupt'))).toHaveLength(1);
    const data = dataOf(await collect(store.records(0, Infinity)));
    expect(new TextDecoder().decode(data)).toBe('first-second-');
  });

  it('raises the durable reserved mark ahead of end, and continues past it after a crash', async () => {
    const { openStore, dir, crashed } = await crashedDir();
    expect(crashed.deliverLimit).toBe(RESERVE_STEP_BYTES);
    const chunk = 64 * 1024;
    while (crashed.end + RESERVE_STEP_BYTES / 2 < RESERVE_STEP_BYTES + chunk) crashed.appendData(new Uint8Array(chunk), 5);
    await waitForStore(crashed, () => crashed.deliverLimit > RESERVE_STEP_BYTES, 10_000, 'reserved mark raised');
    expect(crashed.deliverLimit).toBeGreaterThan(crashed.end);
    const meta = JSON.parse(await readFile(join(dir, 'capture.json'), 'utf8')) as { reservedOffset: number; clean: boolean };
    expect(meta).toMatchObject({ reservedOffset: crashed.deliverLimit, clean: false });
    await crashed.flush();
    const capturedEnd = crashed.end;
    const store = await openStore(); // crash: no close
    expect(store.resumeOffset).toBe(meta.reservedOffset);
    expect(store.lostOnOpen).toEqual({ from: capturedEnd, to: meta.reservedOffset });
    expect(store.deliverLimit).toBe(meta.reservedOffset + RESERVE_STEP_BYTES);
  });

  it('reads across a crash gap: stops at it, and skips a reader inside it to the next held byte', async () => {
    const { openStore } = await crashedDir(); // data [0, 18) then crash
    const store = await openStore();
    const R = store.resumeOffset;
    store.appendData(utf8('after'), 10);
    await store.flush();
    const before = await store.readData(0, 1000);
    expect(before.offset).toBe(0);
    expect(new TextDecoder().decode(concat(before.chunks))).toBe('first-second-third');
    const inside = await store.readData(100, 1000);
    expect(inside.offset).toBe(R);
    expect(new TextDecoder().decode(concat(inside.chunks))).toBe('after');
    expect((await store.readData(R + 5, 10)).chunks).toEqual([]);
    expect(dataOf(await collect(store.records(10, R + 2)))).toEqual(utf8('nd-thirdaf'));
  });
});

describe('CaptureStore: seeking through the sparse index', () => {
  it('offsetAtTime finds the first data at or after a time across several segments, reading one segment', async () => {
    const { openStore } = await setup({ segmentMaxBytes: 1000 });
    const store = await openStore();
    const t0 = 1_700_000_000_000;
    await appendPattern(store, 100, 100, t0, 10, 5); // record i at t0 + 10 i, offset 100 i
    expect(store.stats.segments).toBeGreaterThanOrEqual(10);
    const before = store.diskReads.bytes;
    expect(await store.offsetAtTime(t0 + 555)).toBe(5600);
    expect(store.diskReads.bytes - before).toBeLessThanOrEqual(1000 + 1000); // one segment (past the limit by one flush at most)
    expect(await store.offsetAtTime(t0 + 550)).toBe(5500);
    expect(await store.offsetAtTime(0)).toBe(0);
    expect(await store.offsetAtTime(t0 + 1_000_000)).toBe(store.end);
    store.appendData(utf8('pending'), t0 + 2000);
    expect(await store.offsetAtTime(t0 + 1500)).toBe(10_000); // not yet flushed, still found
  });

  it('offsetAtTime and records() seek inside a large segment instead of reading it from its start', async () => {
    const { openStore } = await setup({ segmentMaxBytes: 64 * 1024 * 1024 });
    const store = await openStore();
    const t0 = 1_700_000_000_000;
    const size = 1000;
    await appendPattern(store, 2000, size, t0, 1, 100); // ~2 MB in one segment
    expect(store.stats.segments).toBe(1);
    let before = store.diskReads.bytes;
    expect(await store.offsetAtTime(t0 + 1500.5)).toBe(1501 * size);
    expect(store.diskReads.bytes - before).toBeLessThanOrEqual(INDEX_STRIDE_BYTES + 2 * size);
    const from = 1_500_321;
    const to = 1_600_123;
    before = store.diskReads.bytes;
    expect(dataOf(await collect(store.records(from, to)))).toEqual(patternBytes(from, to - from));
    // The range plus its headers (28 per 1000 bytes), at most one stride before `from` and one read-ahead past `to`.
    expect(store.diskReads.bytes - before).toBeLessThanOrEqual((to - from) * 1.03 + 2 * INDEX_STRIDE_BYTES + 2 * size);
  });

  it('records() over a range spanning segments returns exactly its records, one record in memory at a time', async () => {
    const { openStore } = await setup({ segmentMaxBytes: 256 * 1024 });
    const store = await openStore();
    const size = 1000;
    for (let i = 0; i < 2000; i++) {
      store.appendData(patternBytes(store.end, size), i);
      if (i % 100 === 0) store.appendEvent({ type: 'tick', i }, i);
      if (i % 50 === 49) await store.flush();
    }
    await store.flush();
    expect(store.stats.segments).toBeGreaterThanOrEqual(6);
    const from = 700_321;
    const to = 1_300_123;
    const before = store.diskReads.bytes;
    const parts: Uint8Array[] = [];
    const ticks: number[] = [];
    let maxRecord = 0;
    for await (const r of store.records(from, to)) {
      if (r.kind === 'data') {
        parts.push(r.bytes);
        maxRecord = Math.max(maxRecord, r.bytes.length);
      } else if (r.kind === 'event') ticks.push(r.offset);
    }
    expect(concat(parts)).toEqual(patternBytes(from, to - from));
    expect(maxRecord).toBeLessThanOrEqual(size);
    expect(ticks).toEqual([701_000, 801_000, 901_000, 1_001_000, 1_101_000, 1_201_000]); // after record i = 700, 800, ...
    expect(store.diskReads.bytes - before).toBeLessThanOrEqual((to - from) * 1.03 + 2 * INDEX_STRIDE_BYTES + 2 * size);
  });
});
