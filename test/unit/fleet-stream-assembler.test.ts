// The fleet console's reassembly of a remote port's stream: each byte once, in order, gaps fetched
// one at a time, what the node no longer holds skipped, whatever order frames come in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FETCH_RETRY_MS, MAX_INCOMPLETE_ANSWERS, StreamAssembler, type AssemblerSink, type Schedule } from '../../server/fleet/stream-assembler.js';
import { mappingFor } from '../../server/fleet/stream-mapping.js';

/** A sink that keeps the stream as text with skips marked, and the fetches asked for. */
function recorder(start = 0) {
  const out: string[] = [];
  const fetches: Array<[number, number]> = [];
  let end = start;
  const sink: AssemblerSink = {
    append: (bytes, offset) => {
      expect(offset).toBe(end);
      out.push(Buffer.from(bytes).toString());
      end += bytes.byteLength;
    },
    skip: (to, reason) => {
      out.push(`[skip ${end}..${to} ${reason}]`);
      end = to;
    },
    fetch: (from, to) => void fetches.push([from, to]),
  };
  return { sink, out, fetches, text: () => out.join('') };
}

/** A manual clock: timers run when the test advances it. */
function manualClock() {
  let now = 0;
  const timers = new Set<{ at: number; run: () => void }>();
  const schedule: Schedule = (ms, run) => {
    const timer = { at: now + ms, run };
    timers.add(timer);
    return () => timers.delete(timer);
  };
  const advance = (ms: number) => {
    now += ms;
    for (const timer of [...timers]) if (timer.at <= now) {
      timers.delete(timer);
      timer.run();
    }
  };
  return { schedule, advance, pending: () => timers.size };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('StreamAssembler', () => {
  it('passes frames in order straight through and drops repeats and overlaps', () => {
    const r = recorder();
    const a = new StreamAssembler(0, r.sink, manualClock().schedule);
    a.data(0, bytes('hello '), 1);
    a.data(0, bytes('hello '), 1); // a repeat (QoS 1 may deliver twice)
    a.data(3, bytes('lo world'), 2); // overlaps the end: only the new part
    expect(r.text()).toBe('hello world');
    expect(r.fetches).toEqual([]);
    expect(a.end).toBe(11);
  });

  it('holds frames past a hole, fetches the hole once, and releases everything when the replay fills it', () => {
    const r = recorder();
    const clock = manualClock();
    const a = new StreamAssembler(0, r.sink, clock.schedule);
    a.data(0, bytes('ab'), 1);
    a.data(5, bytes('fg'), 1);
    a.data(7, bytes('hi'), 1);
    expect(r.text()).toBe('ab');
    expect(r.fetches).toEqual([[2, 5]]);
    a.data(2, bytes('cde'), 1); // the replay
    a.replayEnd(5);
    expect(r.text()).toBe('abcdefghi');
    expect(a.filling).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  it('skips what the node no longer holds as not-buffered, then goes on', () => {
    const r = recorder();
    const a = new StreamAssembler(0, r.sink, manualClock().schedule);
    a.nodeEnd(10);
    expect(r.fetches).toEqual([[0, 10]]);
    a.missing(0, 6);
    a.data(6, bytes('6789'), 1);
    a.replayEnd(10);
    expect(r.text()).toBe('[skip 0..6 not-buffered]6789');
  });

  it('asks again when an answered fetch left its hole (replay frames lost on the way), and fills it', () => {
    const r = recorder(4);
    const a = new StreamAssembler(4, r.sink, manualClock().schedule);
    a.data(8, bytes('xy'), 1);
    expect(r.fetches).toEqual([[4, 8]]);
    a.replayEnd(8); // the replay's frames were dropped by the broker; only its end came
    expect(r.fetches).toEqual([
      [4, 8],
      [4, 8],
    ]);
    expect(r.text()).toBe('');
    a.data(4, bytes('abcd'), 1);
    a.replayEnd(8);
    expect(r.text()).toBe('abcdxy');
  });

  it('gives a hole up as not buffered only after MAX_INCOMPLETE_ANSWERS answers in a row leave it', () => {
    const r = recorder(4);
    const a = new StreamAssembler(4, r.sink, manualClock().schedule);
    a.data(8, bytes('xy'), 1);
    for (let i = 0; i < MAX_INCOMPLETE_ANSWERS; i++) a.replayEnd(8);
    expect(r.fetches).toHaveLength(MAX_INCOMPLETE_ANSWERS);
    expect(r.text()).toBe('[skip 4..8 not-buffered]xy');
  });

  it('asks again when a fetch goes unanswered, and ignores the end of a fetch it no longer waits for', () => {
    const r = recorder();
    const clock = manualClock();
    const a = new StreamAssembler(0, r.sink, clock.schedule);
    a.data(3, bytes('d'), 1);
    clock.advance(FETCH_RETRY_MS - 1);
    expect(r.fetches).toEqual([[0, 3]]);
    clock.advance(1);
    expect(r.fetches).toEqual([
      [0, 3],
      [0, 3],
    ]);
    a.replayEnd(99); // not a fetch of ours
    expect(a.filling).toBe(true);
    a.data(0, bytes('abc'), 1);
    a.replayEnd(3);
    expect(r.text()).toBe('abcd');
  });

  it('gives a hole up when too much waits behind it', () => {
    const r = recorder();
    const a = new StreamAssembler(0, r.sink, manualClock().schedule, 4);
    a.data(10, bytes('abc'), 1);
    a.data(13, bytes('de'), 1); // 5 bytes held > 4
    expect(r.text()).toBe('[skip 0..10 not-buffered]abcde');
  });

  it('fetches up to a node end it has not reached, and nothing when it has', () => {
    const r = recorder(7);
    const a = new StreamAssembler(7, r.sink, manualClock().schedule);
    a.nodeEnd(7);
    a.nodeEnd(3);
    expect(r.fetches).toEqual([]);
    a.nodeEnd(9);
    expect(r.fetches).toEqual([[7, 9]]);
  });

  it('delivers every byte exactly once whatever the order and repetition of frames and replays', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        (sizes, picks) => {
          const text = sizes.map((n, i) => String.fromCharCode(97 + (i % 26)).repeat(n)).join('');
          const frames: Array<{ offset: number; data: Uint8Array }> = [];
          let offset = 0;
          for (const n of sizes) {
            frames.push({ offset, data: bytes(text.slice(offset, offset + n)) });
            offset += n;
          }
          const r = recorder();
          const a = new StreamAssembler(0, r.sink, manualClock().schedule, Infinity);
          // Some frames arrive (in a shuffled order, some twice); then the node answers every fetch from the whole text.
          for (const pick of picks) {
            const frame = frames[pick % frames.length]!;
            a.data(frame.offset, frame.data, 1);
          }
          a.nodeEnd(text.length);
          for (let guard = 0; a.end < text.length && guard < 100; guard++) {
            const [from, to] = r.fetches.at(-1)!;
            a.data(from, bytes(text.slice(from, to)), 1);
            a.replayEnd(to);
          }
          expect(r.text()).toBe(text);
        },
      ),
    );
  });
});

describe('mappingFor', () => {
  const stream = (streamId: string, start: number, end: number) => ({ streamId, start, end });
  it("follows a first stream at the node's offsets, and keeps following the same stream", () => {
    const first = mappingFor(null, 0, stream('s1', 0, 500));
    expect(first).toEqual({ streamId: 's1', delta: 0 });
    expect(mappingFor(first, 400, stream('s1', 100, 900))).toBe(first);
    expect(mappingFor(null, 300, stream('s1', 0, 500))).toEqual({ streamId: 's1', delta: 0 });
  });

  it('puts a new stream (or one behind the local copy) right after the local end, from the oldest byte the node holds', () => {
    expect(mappingFor({ streamId: 's1', delta: 0 }, 800, stream('s2', 0, 20))).toEqual({ streamId: 's2', delta: 800 });
    expect(mappingFor({ streamId: 's1', delta: 0 }, 800, stream('s2', 50, 120))).toEqual({ streamId: 's2', delta: 750 });
    expect(mappingFor(null, 800, stream('s9', 0, 20))).toEqual({ streamId: 's9', delta: 800 });
    expect(mappingFor({ streamId: 's1', delta: 0 }, 10, stream('s2', 5000, 6000))).toEqual({ streamId: 's2', delta: 0 });
  });
});

describe('StreamAssembler fetch limit', () => {
  it('fetches at most maxFetchBytes of a hole and reports the older part as not buffered', () => {
    const r = recorder();
    const a = new StreamAssembler(0, r.sink, manualClock().schedule, Infinity, 100);
    a.nodeEnd(1000);
    expect(r.text()).toBe('[skip 0..900 not-buffered]');
    expect(r.fetches).toEqual([[900, 1000]]);
  });
});
