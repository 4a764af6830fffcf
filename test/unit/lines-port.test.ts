import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../server/capture/capture-types.js';
import { LINE_QUIET_MS, type FramedLine } from '../../server/lines/line-framer.js';
import { PortLines, type LineChannel } from '../../server/lines/port-lines.js';
import type { ParsedRecord } from '../../server/lines/records/record-types.js';
import { MemoryRing } from '../../server/ports/memory-ring.js';
import { FakeClock } from './lines-fakes.js';

const enc = new TextEncoder();
const HOUR_MS = 60 * 60 * 1000;
const T0 = 1_800_000_000_000;

type Listener = Parameters<LineChannel['subscribe']>[0];

/**
 * A channel as the reader sees it, with the `appended` callback the lead adds to Channel: a real
 * memory ring; a "capture" that is a list of data records (every append is on disk at once, as
 * Channel.records() flushes before reading); a durable limit on what may be delivered.
 */
class FakeChannel implements LineChannel {
  readonly memory: MemoryRing;
  readonly disk: CaptureRecord[] = [];
  readonly listeners = new Set<Listener>();
  deliverLimit = Infinity;
  recordsCalls = 0;
  failNextRecords = false;

  constructor(
    memoryBytes: number,
    private readonly capture: boolean,
    private readonly clock: FakeClock,
  ) {
    this.memory = new MemoryRing(memoryBytes);
  }

  append(data: string, timeMs: number): void {
    const bytes = enc.encode(data);
    const offset = this.memory.end;
    this.memory.append(bytes);
    if (this.capture) this.disk.push({ kind: 'data', offset, timeMs, bytes });
    for (const listener of this.listeners) {
      listener.appended?.(bytes, offset, timeMs);
      listener.data();
    }
  }

  /** Raises the durable limit, as the capture's onChange does. */
  release(limit: number): void {
    this.deliverLimit = limit;
    for (const listener of this.listeners) listener.data();
  }

  get deliverableEnd(): number {
    return Math.min(this.memory.end, this.deliverLimit);
  }

  get oldest(): number {
    return this.capture && this.disk.length > 0 ? Math.min(this.disk[0]!.offset, this.memory.start) : this.memory.start;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async *records(from: number, to: number): AsyncIterable<CaptureRecord> {
    this.recordsCalls++;
    if (this.failNextRecords) {
      this.failNextRecords = false;
      throw new Error('EIO: disk read failed');
    }
    if (!this.capture) {
      // As Channel does with no capture: the memory ring's bytes, stamped now.
      const start = Math.max(from, this.memory.start);
      const end = Math.min(to, this.memory.end);
      let offset = start;
      for (const chunk of start < end ? this.memory.read(start, end - start) : []) {
        yield { kind: 'data', offset, timeMs: this.clock.now(), bytes: chunk.slice() };
        offset += chunk.byteLength;
      }
      return;
    }
    for (const record of this.disk) {
      if (record.kind !== 'data') continue;
      const end = record.offset + record.bytes.byteLength;
      if (end <= from || record.offset >= to) continue;
      const a = Math.max(from, record.offset) - record.offset;
      const b = Math.min(to, end) - record.offset;
      await Promise.resolve(); // a disk read is asynchronous
      yield { ...record, offset: record.offset + a, bytes: record.bytes.subarray(a, b) };
    }
  }

  async offsetAtTime(timeMs: number): Promise<number> {
    if (!this.capture) return timeMs <= this.clock.now() ? this.memory.start : this.memory.end;
    const hit = this.disk.find((record) => record.timeMs >= timeMs);
    return hit ? hit.offset : this.memory.end;
  }
}

/** A reader on a fake channel whose deferred turns run only when the test says so. */
function setup(options: { memoryBytes?: number; capture?: boolean; before?: (channel: FakeChannel) => void } = {}) {
  const clock = new FakeClock(T0);
  const channel = new FakeChannel(options.memoryBytes ?? 64 * 1024, options.capture ?? true, clock);
  options.before?.(channel); // what the port received before the server (and this reader) started
  const turns: Array<() => void> = [];
  const errors: unknown[] = [];
  const lines = new PortLines(channel, { clock, defer: (callback) => turns.push(callback), onError: (error) => errors.push(error) });
  const seen = { lines: [] as FramedLine[], records: [] as ParsedRecord[], gaps: [] as Array<[number, number]> };
  lines.subscribe({
    line: (line) => seen.lines.push(line),
    record: (record) => seen.records.push(record),
    gap: (from, to) => seen.gaps.push([from, to]),
  });
  /** Runs deferred turns (and the promise jobs between them) until the reader is idle. */
  const settle = async () => {
    for (let i = 0; i < 10_000; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve)); // lets pending promise chains (disk reads) finish
      if (turns.length === 0) return;
      for (const turn of turns.splice(0)) turn();
    }
    throw new Error('reader never settled');
  };
  const start = async () => {
    const started = lines.start();
    await settle();
    await started;
  };
  return { clock, channel, lines, seen, errors, settle, start };
}

describe('port lines: live', () => {
  it('frames appended bytes into lines stamped with the arrival of their first byte, and records into series', async () => {
    const { channel, lines, seen, settle, start } = setup();
    await start();
    channel.append('{"temp":21.4,"hum', T0 + 1000);
    channel.append('idity":40}\nboot ok\n', T0 + 1090);
    await settle();
    expect(seen.lines.map((l) => [l.text, l.offset, l.timeMs])).toEqual([
      ['{"temp":21.4,"humidity":40}', 0, T0 + 1000],
      ['boot ok', 28, T0 + 1090],
    ]);
    expect(seen.records).toEqual([{ offset: 0, timeMs: T0 + 1000, format: 'json', fields: { temp: 21.4, humidity: 40 } }]);
    expect(lines.series.series(['temp'], T0, T0 + 2000, 100)).toEqual([{ name: 'temp', times: [T0 + 1000], values: [21.4], count: 1 }]);
    expect(lines.stats).toMatchObject({ lines: 2, records: 1, text: 1, byFormat: { json: 1 }, offset: channel.memory.end, gapBytes: 0 });
  });

  it('frames nothing inside the channel append: the work runs in a later turn', async () => {
    const { channel, seen, settle, start } = setup();
    await start();
    channel.append('a:1\n', T0);
    expect(seen.lines).toEqual([]);
    await settle();
    expect(seen.lines).toHaveLength(1);
  });

  it('delivers only below the durable limit, the rest once it is raised', async () => {
    const { channel, seen, settle, start } = setup();
    await start();
    channel.deliverLimit = 4;
    channel.append('a:1\nb:2\n', T0);
    await settle();
    expect(seen.lines.map((l) => l.text)).toEqual(['a:1']);
    channel.release(Infinity);
    await settle();
    expect(seen.lines.map((l) => l.text)).toEqual(['a:1', 'b:2']);
  });

  it('shows a prompt as partial after the quiet period, then the whole line at the same offset', async () => {
    const { clock, channel, seen, settle, start } = setup();
    await start();
    channel.append('ready\n> ', clock.now());
    await settle();
    expect(seen.lines.map((l) => l.text)).toEqual(['ready']);
    clock.advance(LINE_QUIET_MS - 1);
    expect(seen.lines).toHaveLength(1);
    clock.advance(1);
    expect(seen.lines[1]).toMatchObject({ text: '> ', offset: 6, partial: true });
    channel.append('status\n', clock.now() + 2000);
    await settle();
    expect(seen.lines[2]).toMatchObject({ text: '> status', offset: 6, partial: false, timeMs: T0 });
    expect(clock.pending).toBe(0);
  });

  it('a listener that throws is reported and does not stop the others or the reader', async () => {
    const { channel, lines, seen, errors, settle, start } = setup();
    await start();
    lines.subscribe({
      record: () => {
        throw new Error('boom');
      },
    });
    channel.append('a:1\na:2\n', T0);
    await settle();
    expect(seen.records).toHaveLength(2);
    expect(errors).toHaveLength(2);
  });

  it('close() stops listening and is safe twice', async () => {
    const { channel, lines, seen, settle, start } = setup();
    await start();
    lines.close();
    lines.close();
    channel.append('a:1\n', T0);
    await settle();
    expect(seen.lines).toEqual([]);
    expect(channel.listeners.size).toBe(0);
  });
});

describe('port lines: from the capture', () => {
  it('backfills the last hour from the capture at start, with the recorded arrival times', async () => {
    // Two hours of one reading a minute, captured before this reader existed.
    const before = (channel: FakeChannel) => {
      for (let minute = 120; minute > 0; minute--) channel.append(`{"temp":${minute}}\n`, T0 - minute * 60_000 + 5);
    };
    const { channel, lines, start, seen } = setup({ before });
    await start();
    expect(channel.recordsCalls).toBe(1);
    const [temp] = lines.series.series(['temp'], T0 - 2 * HOUR_MS, T0, 1000);
    expect(temp!.count).toBe(60);
    expect(temp!.times[0]).toBe(T0 - 60 * 60_000 + 5);
    expect(temp!.values.at(-1)).toBe(1);
    expect(seen.records).toHaveLength(60);
    expect(lines.offset).toBe(channel.memory.end);
  });

  it('falls behind the memory ring without losing a line: the evicted bytes come from the capture, with their times', async () => {
    const { channel, seen, settle, start } = setup({ memoryBytes: 256 });
    await start();
    for (let i = 0; i < 200; i++) channel.append(`{"n":${i}}\n`, T0 + i); // no turn runs meanwhile: the ring keeps ~256 bytes
    expect(channel.memory.start).toBeGreaterThan(0);
    await settle();
    expect(seen.records.map((r) => r.fields.n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(seen.records.map((r) => r.timeMs)).toEqual(Array.from({ length: 200 }, (_, i) => T0 + i));
    expect(seen.gaps).toEqual([]);
    expect(channel.recordsCalls).toBeGreaterThan(0);
  });

  it('a memory-only port that fell behind reports the gap, then carries on', async () => {
    const { channel, lines, seen, settle, start } = setup({ memoryBytes: 256, capture: false });
    await start();
    for (let i = 0; i < 200; i++) channel.append(`{"n":${i}}\n`, T0 + i);
    await settle();
    expect(seen.gaps).toHaveLength(1);
    const [[from, to]] = seen.gaps as [[number, number]];
    expect(from).toBe(0);
    expect(to).toBeGreaterThanOrEqual(channel.memory.start);
    expect(lines.stats.gapBytes).toBe(to - from);
    expect(seen.records.at(-1)?.fields.n).toBe(199);
    expect(seen.records.at(-1)?.timeMs).toBe(T0 + 199);
    channel.append('{"n":200}\n', T0 + 500);
    await settle();
    expect(seen.records.at(-1)).toMatchObject({ fields: { n: 200 }, timeMs: T0 + 500 });
  });

  it('a failed capture read is reported and skipped; the live stream goes on', async () => {
    const { channel, seen, errors, settle, start } = setup({ memoryBytes: 256 });
    await start();
    for (let i = 0; i < 100; i++) channel.append(`{"n":${i}}\n`, T0 + i);
    channel.failNextRecords = true;
    await settle();
    expect(errors).toHaveLength(1);
    expect(seen.gaps).toHaveLength(1);
    expect(seen.records.at(-1)?.fields.n).toBe(99);
  });
});
