// A reader's feed of lines (server/lines/line-feed.ts) and its replay from the capture
// (line-replay.ts), against the real line reader (PortLines) on a small fake channel: a resume
// from an offset tells exactly the lines after it, then the live ones; a sink that stays full makes
// the feed let go of live lines and replay them, so a slow reader loses and repeats nothing while
// the feed holds no more than the sink lets it; a resume before the oldest byte kept starts with a gap.
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../server/capture/capture-types.js';
import { LineFeed, type FeedSink } from '../../server/lines/line-feed.js';
import { LineReplay, type LineEvent } from '../../server/lines/line-replay.js';
import { PortLines, type LineChannel } from '../../server/lines/port-lines.js';
import { MemoryRing } from '../../server/ports/memory-ring.js';

const enc = new TextEncoder();
const T0 = 1_800_000_000_000;
type Listener = Parameters<LineChannel['subscribe']>[0];

/** A channel whose every append is on "disk" at once (as Channel.records() flushes first); `dropBefore` plays retention. */
class FakeChannel implements LineChannel {
  readonly memory = new MemoryRing(1 << 20);
  disk: CaptureRecord[] = [];
  private readonly listeners = new Set<Listener>();
  t = T0;

  append(text: string, timeMs = (this.t += 1000)): void {
    const bytes = enc.encode(text);
    const offset = this.memory.end;
    this.memory.append(bytes);
    this.disk.push({ kind: 'data', offset, timeMs, bytes });
    for (const listener of this.listeners) {
      listener.appended?.(bytes, offset, timeMs);
      listener.data();
    }
  }
  dropBefore(offset: number): void {
    this.disk = this.disk.filter((r) => r.offset >= offset);
  }
  get deliverableEnd(): number {
    return this.memory.end;
  }
  get oldest(): number {
    return this.disk[0]?.offset ?? this.memory.end;
  }
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async *records(from: number, to: number): AsyncIterable<CaptureRecord> {
    for (const record of this.disk) {
      if (record.kind !== 'data') continue;
      const end = record.offset + record.bytes.byteLength;
      if (end <= from || record.offset >= to) continue;
      await Promise.resolve();
      const a = Math.max(from, record.offset) - record.offset;
      yield { ...record, offset: record.offset + a, bytes: record.bytes.subarray(a, Math.min(to, end) - record.offset) };
    }
  }
  async offsetAtTime(timeMs: number): Promise<number> {
    return this.disk.find((r) => r.timeMs >= timeMs)?.offset ?? this.memory.end;
  }
}

/** A sink that records events and resolves waits on them; `capacity` events may sit unread before it is full. */
class TestSink implements FeedSink {
  readonly events: LineEvent[] = [];
  unread = 0;
  maxUnread = 0;
  private waiters: Array<() => void> = [];
  private drainers: Array<() => void> = [];
  constructor(private capacity = Infinity) {}
  send(event: LineEvent): void {
    this.events.push(event);
    this.unread++;
    this.maxUnread = Math.max(this.maxUnread, this.unread);
    for (const waiter of this.waiters.splice(0)) waiter();
  }
  get full(): boolean {
    return this.unread >= this.capacity;
  }
  drained(): Promise<void> {
    return this.full ? new Promise((resolve) => this.drainers.push(resolve)) : Promise.resolve();
  }
  /** The reader takes everything sent so far. */
  read(): void {
    this.unread = 0;
    for (const drainer of this.drainers.splice(0)) drainer();
  }
  texts(): string[] {
    return this.events.flatMap((e) => (e.type === 'line' && !e.line.partial ? [e.line.text] : []));
  }
  async until(ok: () => boolean, what: string): Promise<void> {
    for (let turns = 0; !ok(); turns++) {
      if (turns > 10_000) throw new Error(`never saw ${what}; texts: ${JSON.stringify(this.texts().slice(-5))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setImmediate(resolve); // a feed waiting on drained() sends nothing: let the test's reader run
      });
    }
  }
}

const line = (i: number) => `line ${String(i).padStart(4, '0')}`;
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => line(a + k));

async function started(channel: FakeChannel): Promise<PortLines> {
  const lines = new PortLines(channel, { onError: (error) => { throw error; } });
  await lines.start();
  return lines;
}

describe('line feed', () => {
  it('resumes after a line: replays exactly the lines after it from the capture, then the live ones', async () => {
    const channel = new FakeChannel();
    for (let i = 0; i < 10; i++) channel.append(`${line(i)}\r\n`);
    const lines = await started(channel);
    const ends: number[] = [];
    lines.subscribe({ line: (l) => void (l.partial || ends.push(l.endOffset)) });
    // Lines 0..9 were read at start (before this listener): take line 3's end from the replay instead.
    const replay = new LineReplay(channel, 0);
    const firstTen: number[] = [];
    for await (const e of replay.read(channel.deliverableEnd)) if (e.type === 'line') firstTen.push(e.line.endOffset);
    expect(firstTen).toHaveLength(10);

    const sink = new TestSink();
    const feed = new LineFeed(lines, channel, sink, { from: firstTen[3]!, onError: (e) => { throw e; } });
    feed.start();
    channel.append(`${line(10)}\r\n`); // arrives while the feed replays
    await sink.until(() => sink.texts().length >= 7, 'lines 4..10');
    channel.append(`${line(11)}\n${line(12)}\r`);
    channel.append(`\n`, channel.t + 5); // a CRLF split across two reads 5 ms apart
    await sink.until(() => sink.texts().length >= 9, 'lines 11, 12');
    expect(sink.texts()).toEqual(range(4, 13));
    expect(feed.position).toBe(channel.deliverableEnd);
    // Ids are line ends, each the next line's start.
    const complete = sink.events.flatMap((e) => (e.type === 'line' && !e.line.partial ? [e.line] : []));
    for (let k = 1; k < complete.length; k++) expect(complete[k]!.offset).toBe(complete[k - 1]!.endOffset);
    feed.close();
    lines.close();
  });

  it('a new reader starts at the newest byte; records follow their lines with the line end', async () => {
    const channel = new FakeChannel();
    channel.append('old\r\n');
    const lines = await started(channel);
    const sink = new TestSink();
    const feed = new LineFeed(lines, channel, sink, { from: null, onError: (e) => { throw e; } });
    feed.start();
    channel.append('{"temp":21.4,"humidity":40}\r\n');
    await sink.until(() => sink.events.some((e) => e.type === 'record'), 'a record');
    const [first, second] = sink.events;
    expect(first).toMatchObject({ type: 'line', line: { text: '{"temp":21.4,"humidity":40}', offset: 5, endOffset: 34 } });
    expect(second).toMatchObject({ type: 'record', endOffset: 34, record: { offset: 5, format: 'json', fields: { temp: 21.4, humidity: 40 } } });
    feed.close();
    lines.close();
  });

  it('a reader that cannot keep up lags and replays: every line once, in order, with at most its sink capacity unread', async () => {
    const channel = new FakeChannel();
    const lines = await started(channel);
    const sink = new TestSink(8);
    const feed = new LineFeed(lines, channel, sink, { from: null, onError: (e) => { throw e; } });
    feed.start();
    for (let burst = 0; burst < 20; burst++) {
      channel.append(range(burst * 25, burst * 25 + 25).join('\n') + '\n');
      // The reader reads only every other burst: the feed must let go of live lines meanwhile.
      if (burst % 2 === 1) sink.read();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await sink.until(() => {
      sink.read();
      return sink.texts().length >= 500;
    }, '500 lines');
    expect(sink.texts()).toEqual(range(0, 500));
    expect(feed.replayCount).toBeGreaterThan(0);
    // Bounded: the feed stops at its sink's capacity (plus the record or gap that may follow a line).
    expect(sink.maxUnread).toBeLessThanOrEqual(9);
    feed.close();
    lines.close();
  });

  it('a resume from before the oldest byte kept starts with a gap, then the lines still kept', async () => {
    const channel = new FakeChannel();
    for (let i = 0; i < 6; i++) channel.append(`${line(i)}\n`);
    const lines = await started(channel);
    const kept = 3 * 10;
    channel.dropBefore(kept);
    const sink = new TestSink();
    const feed = new LineFeed(lines, channel, sink, { from: 10, onError: (e) => { throw e; } });
    feed.start();
    await sink.until(() => sink.texts().length >= 3, 'lines 3..5');
    expect(sink.events[0]).toEqual({ type: 'gap', from: 10, to: kept });
    expect(sink.texts()).toEqual(range(3, 6));
    feed.close();
    lines.close();
  });
});
