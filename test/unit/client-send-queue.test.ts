import { describe, expect, it } from 'vitest';
import {
  BACKLOG_WINDOW_MS,
  chunkItems,
  estimatedWriteMs,
  SendQueue,
  SOCKET_HIGH_WATER_BYTES,
  type DeviceRate,
  type SendOutcome,
  type SendProgress,
} from '../../client/connection/send-queue.js';
import { manualTimers } from './client-fakes.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

/** A queue over hand-driven timers, recording what it sent and how it ended. */
function harness(rate: DeviceRate | null, options: { buffered?: () => number; accept?: () => boolean } = {}) {
  const timers = manualTimers();
  const sent: string[] = [];
  const progress: SendProgress[] = [];
  let outcome: SendOutcome | null = null;
  const queue = new SendQueue({
    send: (frame) => {
      if (options.accept && !options.accept()) return false;
      sent.push(text(frame));
      return true;
    },
    bufferedAmount: options.buffered ?? (() => 0),
    rate: () => rate,
    timers,
  });
  const events = {
    progress: (p: SendProgress) => void progress.push(p),
    finished: (o: SendOutcome) => void (outcome = o),
  };
  return { timers, sent, progress, queue, events, outcome: () => outcome };
}

describe('estimatedWriteMs', () => {
  it('counts wire time at the baud rate, char delays and line delays', () => {
    const rate = { baudRate: 10_000, charDelayMs: 2, lineDelayMs: 20 };
    // 4 bytes × 10 bits at 10 kbit/s = 4 ms; 4 × 2 ms char delay; one LF × 20 ms.
    expect(estimatedWriteMs(bytes('abc\n'), rate)).toBeCloseTo(4 + 8 + 20);
    expect(estimatedWriteMs(bytes('abc\n'), null)).toBe(0);
  });
});

describe('SendQueue', () => {
  it('sends one frame per line, in order, pacing by the device backlog so Stop stops the rest', () => {
    // 100 ms per line (line delay): about BACKLOG_WINDOW_MS / 100 + 1 lines go at once, then one per 100 ms.
    const h = harness({ baudRate: 1_000_000, charDelayMs: 0, lineDelayMs: 100 });
    const lines = Array.from({ length: 20 }, (_, i) => ({ bytes: bytes(`line${i}\n`) }));
    expect(h.queue.start(lines, h.events)).toBe(true);
    const burst = h.sent.length;
    expect(burst).toBeGreaterThan(1);
    expect(burst).toBeLessThanOrEqual(Math.ceil(BACKLOG_WINDOW_MS / 100) + 1);
    h.timers.advance(100);
    expect(h.sent.length).toBe(burst + 1);
    expect(h.queue.start(lines, h.events)).toBe(false); // one job at a time
    h.queue.stop();
    h.timers.advance(10_000);
    expect(h.sent).toEqual(lines.slice(0, burst + 1).map((l) => text(l.bytes)));
    expect(h.outcome()).toEqual({ kind: 'stopped' });
    expect(h.queue.active()).toBe(false);
  });

  it('reports progress, and finishes done once everything is handed over', () => {
    const h = harness({ baudRate: 1_000_000, charDelayMs: 0, lineDelayMs: 0 });
    h.queue.start(chunkItems(bytes('x'.repeat(2500)), 1024), h.events);
    expect(h.sent.map((s) => s.length)).toEqual([1024, 1024, 452]);
    expect(h.progress.at(-1)).toEqual({ items: 3, totalItems: 3, bytes: 2500, totalBytes: 2500 });
    expect(h.outcome()).toEqual({ kind: 'done' });
    expect(h.queue.active()).toBe(false);
  });

  it('waits while the socket holds too much', () => {
    let buffered = SOCKET_HIGH_WATER_BYTES + 1;
    const h = harness(null, { buffered: () => buffered });
    h.queue.start([{ bytes: bytes('a') }, { bytes: bytes('b') }], h.events);
    expect(h.sent).toEqual([]);
    buffered = 0;
    h.timers.advance(100);
    expect(h.sent).toEqual(['a', 'b']);
  });

  it('ends on a refusal with its reason, and when the socket cannot take a frame', () => {
    const slow = harness({ baudRate: 9600, charDelayMs: 0, lineDelayMs: 500 });
    slow.queue.start([{ bytes: bytes('a\n') }, { bytes: bytes('b\n') }], slow.events);
    slow.queue.refused('not sent: the device is waiting');
    expect(slow.outcome()).toEqual({ kind: 'refused', reason: 'not sent: the device is waiting' });
    slow.timers.advance(5000);
    expect(slow.sent).toEqual(['a\n']);

    const lost = harness(null, { accept: () => false });
    lost.queue.start([{ bytes: bytes('a') }], lost.events);
    expect(lost.outcome()).toEqual({ kind: 'lost' });
  });
});
