import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  WRITE_SLICE_MAX_BYTES,
  WriteQueue,
  type DroppedWrite,
  type WriteQueueEvents,
} from '../../server/serial/write-queue.js';
import { PortError } from '../../server/serial/devices/port.js';
import type { WireError } from '../../server/serial/messages.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);
const NO_PACING = { charDelayMs: 0, lineDelayMs: 0 };

/** A port write that records each slice and resolves at once. */
function recorder() {
  const slices: string[] = [];
  const write = vi.fn(async (slice: Uint8Array) => {
    slices.push(text(slice));
  });
  return { slices, write };
}

/** Events that record what the queue reports. */
function events() {
  const written: Array<[number, number]> = [];
  const failures: Array<[WireError, DroppedWrite[]]> = [];
  const handlers: WriteQueueEvents = {
    written: (id, count) => written.push([id, count]),
    failed: (error, dropped) => failures.push([error, dropped]),
  };
  return { written, failures, handlers };
}

/** A port write the test settles by hand, one slice at a time. */
function manualPort() {
  const calls: Array<{ slice: Uint8Array; resolve: () => void; reject: (error: unknown) => void }> = [];
  const write = (slice: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ slice, resolve, reject });
    });
  return { calls, write };
}

describe('WriteQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('without pacing, writes each chunk whole, in order', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, NO_PACING, events().handlers);
    queue.enqueue(bytes('hello\n'));
    queue.enqueue(bytes('world'));
    await vi.advanceTimersByTimeAsync(0);
    expect(slices).toEqual(['hello\n', 'world']);
    expect(queue.queuedBytes).toBe(0);
  });

  it('hands an idle queue’s write to the port within enqueue() (no hop for a keystroke)', () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, NO_PACING, events().handlers);
    queue.enqueue(bytes('k'));
    expect(slices).toEqual(['k']);
  });

  it('reports each write with an id once it is written whole, with its length', async () => {
    const { write } = recorder();
    const { written, handlers } = events();
    const queue = new WriteQueue(write, NO_PACING, handlers);
    queue.enqueue(new Uint8Array(WRITE_SLICE_MAX_BYTES + 5), 1);
    queue.enqueue(bytes('no id'));
    queue.enqueue(bytes('abc'), 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toEqual([
      [1, WRITE_SLICE_MAX_BYTES + 5],
      [2, 3],
    ]);
  });

  it('splits a long unpaced paste into bounded slices', async () => {
    const { write } = recorder();
    const queue = new WriteQueue(write, NO_PACING, events().handlers);
    queue.enqueue(new Uint8Array(WRITE_SLICE_MAX_BYTES * 2 + 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(write.mock.calls.map(([slice]) => slice.byteLength)).toEqual([WRITE_SLICE_MAX_BYTES, WRITE_SLICE_MAX_BYTES, 1]);
  });

  it('takes a flood of small writes up to its byte bound and writes them all in order', async () => {
    const stalled = manualPort();
    const { slices, write } = recorder();
    let first = true;
    const { written, handlers } = events();
    // The first write stalls (the device is busy) while 32,000 more arrive behind it.
    const queue = new WriteQueue((slice) => (first ? ((first = false), stalled.write(slice)) : write(slice)), NO_PACING, handlers, 32_000);
    for (let id = 0; id < 32_000; id++) expect(queue.enqueue(Uint8Array.of(0x41 + (id % 26)), id)).toBe(true);
    expect(queue.enqueue(Uint8Array.of(9))).toBe(false); // exactly full: only now refused
    stalled.calls[0]?.resolve();
    await vi.waitFor(() => expect(written).toHaveLength(32_000));
    expect(written.map(([id]) => id)).toEqual(Array.from({ length: 32_000 }, (_, i) => i));
    expect(slices.join('')).toBe(Array.from({ length: 32_000 - 1 }, (_, i) => String.fromCharCode(0x41 + ((i + 1) % 26))).join(''));
    expect(queue.queuedBytes).toBe(0);
  });

  it('with a char delay, writes one byte at a time and waits between them', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 10, lineDelayMs: 0 }, events().handlers);
    queue.enqueue(bytes('abc'));
    await vi.advanceTimersByTimeAsync(0);
    expect(slices).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(9);
    expect(slices).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(slices).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(10);
    expect(slices).toEqual(['a', 'b', 'c']);
  });

  it('with a line delay, pauses after LF, after CRLF once, and after a lone CR', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 0, lineDelayMs: 50 }, events().handlers);
    queue.enqueue(bytes('ab\ncd\r\nef\rgh'));
    await vi.advanceTimersByTimeAsync(0);
    expect(slices).toEqual(['ab\n']);
    await vi.advanceTimersByTimeAsync(49);
    expect(slices).toEqual(['ab\n']);
    await vi.advanceTimersByTimeAsync(1);
    expect(slices).toEqual(['ab\n', 'cd\r\n']);
    await vi.advanceTimersByTimeAsync(50);
    expect(slices).toEqual(['ab\n', 'cd\r\n', 'ef\r']);
    await vi.advanceTimersByTimeAsync(50);
    expect(slices).toEqual(['ab\n', 'cd\r\n', 'ef\r', 'gh']);
  });

  it('treats a CR whose LF is already queued in the next chunk as one line ending', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 0, lineDelayMs: 50 }, events().handlers);
    queue.enqueue(bytes('a\n'));
    await vi.advanceTimersByTimeAsync(0);
    queue.enqueue(bytes('x\r'));
    queue.enqueue(bytes('\ny'));
    await vi.advanceTimersByTimeAsync(50);
    expect(slices).toEqual(['a\n', 'x\r', '\n']);
    await vi.advanceTimersByTimeAsync(49);
    expect(slices).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(slices).toEqual(['a\n', 'x\r', '\n', 'y']);
  });

  it('adds the line delay to the char delay after a line ending', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 5, lineDelayMs: 20 }, events().handlers);
    queue.enqueue(bytes('\nz'));
    await vi.advanceTimersByTimeAsync(24);
    expect(slices).toEqual(['\n']);
    await vi.advanceTimersByTimeAsync(1);
    expect(slices).toEqual(['\n', 'z']);
  });

  it('applies new pacing from the next byte', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 1000, lineDelayMs: 0 }, events().handlers);
    queue.enqueue(bytes('abc'));
    await vi.advanceTimersByTimeAsync(0);
    queue.setPacing(NO_PACING);
    await vi.advanceTimersByTimeAsync(1000);
    expect(slices).toEqual(['a', 'bc']);
  });

  it('refuses a write that would exceed its bound, whole, and keeps the rest', async () => {
    const write = vi.fn(() => new Promise<void>(() => undefined)); // a device that never takes the bytes
    const queue = new WriteQueue(write, NO_PACING, events().handlers, 10);
    expect(queue.enqueue(new Uint8Array(8))).toBe(true);
    expect(queue.enqueue(new Uint8Array(3))).toBe(false);
    expect(queue.enqueue(new Uint8Array(2))).toBe(true);
    expect(queue.queuedBytes).toBe(10);
  });

  it('reports a failed write with every unfinished write and what reached the device, then refuses more', async () => {
    const port = manualPort();
    const { failures, handlers } = events();
    const queue = new WriteQueue(port.write, NO_PACING, handlers);
    queue.enqueue(new Uint8Array(WRITE_SLICE_MAX_BYTES + 10), 7);
    queue.enqueue(bytes('de'));
    port.calls[0]?.resolve(); // the first slice went out whole
    await vi.advanceTimersByTimeAsync(0);
    port.calls[1]?.reject(new PortError('Input/output error', { code: 'EIO', disconnected: true, written: 4 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(failures).toEqual([
      [
        { message: 'Input/output error', code: 'EIO', disconnected: true },
        [
          { id: 7, bytes: WRITE_SLICE_MAX_BYTES + 10, written: WRITE_SLICE_MAX_BYTES + 4 },
          { id: undefined, bytes: 2, written: 0 },
        ],
      ],
    ]);
    expect(queue.enqueue(bytes('f'))).toBe(false);
  });

  it('dispose() with a write in flight waits for it, so the dropped count is exact', async () => {
    const port = manualPort();
    const queue = new WriteQueue(port.write, NO_PACING, events().handlers);
    queue.enqueue(bytes('abcdef'), 1);
    queue.enqueue(bytes('gh'), 2);
    let dropped: DroppedWrite[] | undefined;
    void queue.dispose().then((d) => (dropped = d));
    await vi.advanceTimersByTimeAsync(0);
    expect(dropped).toBeUndefined();
    port.calls[0]?.reject(new PortError('port is closed', { code: 'EBADF', written: 3 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(dropped).toEqual([
      { id: 1, bytes: 6, written: 3 },
      { id: 2, bytes: 2, written: 0 },
    ]);
    expect(await queue.dispose()).toEqual([]);
  });

  it('dispose() of a write that completes meanwhile reports it written, not dropped', async () => {
    const port = manualPort();
    const { written, handlers } = events();
    const queue = new WriteQueue(port.write, NO_PACING, handlers);
    queue.enqueue(bytes('abc'), 1);
    const dropped = queue.dispose();
    port.calls[0]?.resolve();
    expect(await dropped).toEqual([]);
    expect(written).toEqual([[1, 3]]);
  });

  it('dispose() stops a paced write midway and returns what it dropped', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 10, lineDelayMs: 0 }, events().handlers);
    queue.enqueue(bytes('abcd'), 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(await queue.dispose()).toEqual([{ id: 5, bytes: 4, written: 1 }]);
    await vi.advanceTimersByTimeAsync(100);
    expect(slices).toEqual(['a']);
  });
});
