import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WRITE_SLICE_MAX_BYTES, WriteQueue } from '../../server/serial/write-queue.js';
import { PortError } from '../../server/serial/devices/port.js';
import type { WireError } from '../../server/serial/messages.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

/** A port write that records each slice and resolves at once. */
function recorder() {
  const slices: string[] = [];
  const write = vi.fn(async (slice: Uint8Array) => {
    slices.push(text(slice));
  });
  return { slices, write };
}

describe('WriteQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('without pacing, writes each chunk whole, in order', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 0, lineDelayMs: 0 }, () => undefined);
    queue.enqueue(bytes('hello\n'));
    queue.enqueue(bytes('world'));
    await vi.advanceTimersByTimeAsync(0);
    expect(slices).toEqual(['hello\n', 'world']);
    expect(queue.queuedBytes).toBe(0);
  });

  it('splits a long unpaced paste into bounded slices', async () => {
    const { write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 0, lineDelayMs: 0 }, () => undefined);
    queue.enqueue(new Uint8Array(WRITE_SLICE_MAX_BYTES * 2 + 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(write.mock.calls.map(([slice]) => slice.byteLength)).toEqual([WRITE_SLICE_MAX_BYTES, WRITE_SLICE_MAX_BYTES, 1]);
  });

  it('with a char delay, writes one byte at a time and waits between them', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 10, lineDelayMs: 0 }, () => undefined);
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
    const queue = new WriteQueue(write, { charDelayMs: 0, lineDelayMs: 50 }, () => undefined);
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
    const queue = new WriteQueue(write, { charDelayMs: 0, lineDelayMs: 50 }, () => undefined);
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
    const queue = new WriteQueue(write, { charDelayMs: 5, lineDelayMs: 20 }, () => undefined);
    queue.enqueue(bytes('\nz'));
    await vi.advanceTimersByTimeAsync(24);
    expect(slices).toEqual(['\n']);
    await vi.advanceTimersByTimeAsync(1);
    expect(slices).toEqual(['\n', 'z']);
  });

  it('applies new pacing from the next byte', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 1000, lineDelayMs: 0 }, () => undefined);
    queue.enqueue(bytes('abc'));
    await vi.advanceTimersByTimeAsync(0);
    queue.setPacing({ charDelayMs: 0, lineDelayMs: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(slices).toEqual(['a', 'bc']);
  });

  it('refuses a write that would exceed its bound, whole, and keeps the rest', async () => {
    const write = vi.fn(() => new Promise<void>(() => undefined)); // a device that never takes the bytes
    const queue = new WriteQueue(write, { charDelayMs: 0, lineDelayMs: 0 }, () => undefined, 10);
    expect(queue.enqueue(new Uint8Array(8))).toBe(true);
    expect(queue.enqueue(new Uint8Array(3))).toBe(false);
    expect(queue.enqueue(new Uint8Array(2))).toBe(true);
    expect(queue.queuedBytes).toBe(10);
  });

  it('reports a failed write with the bytes it drops, then refuses more', async () => {
    const errors: Array<[WireError, number]> = [];
    const write = vi.fn(async () => {
      throw new PortError('Input/output error', { code: 'EIO', disconnected: true });
    });
    const queue = new WriteQueue(write, { charDelayMs: 0, lineDelayMs: 0 }, (error, dropped) => errors.push([error, dropped]));
    queue.enqueue(bytes('abc'));
    queue.enqueue(bytes('de'));
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([[{ message: 'Input/output error', code: 'EIO', disconnected: true }, 5]]);
    expect(queue.enqueue(bytes('f'))).toBe(false);
  });

  it('dispose() stops a paced write midway and returns what it dropped', async () => {
    const { slices, write } = recorder();
    const queue = new WriteQueue(write, { charDelayMs: 10, lineDelayMs: 0 }, () => undefined);
    queue.enqueue(bytes('abcd'));
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.dispose()).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(slices).toEqual(['a']);
  });
});
