import { describe, expect, it } from 'vitest';
import { StreamTracker } from '../../client/connection/flow-control.js';
import { manualTimers } from './client-fakes.js';

const setup = (ackEveryBytes = 100, ackIdleMs = 50) => {
  const timers = manualTimers();
  const acks: number[] = [];
  const tracker = new StreamTracker({ sendAck: (offset) => acks.push(offset), timers, ackEveryBytes, ackIdleMs });
  return { timers, acks, tracker };
};

describe('StreamTracker', () => {
  it('has no resume offset until a connection starts, then tracks received bytes', () => {
    const { tracker } = setup();
    expect(tracker.resumeOffset()).toBeNull();
    tracker.start(1000);
    tracker.receive(10);
    tracker.receive(5);
    expect(tracker.resumeOffset()).toBe(1015);
    expect(tracker.offset()).toBe(1015);
  });

  it('acks once enough bytes are rendered, with the rendered offset', () => {
    const { tracker, acks } = setup(100);
    tracker.start(0);
    const first = tracker.receive(60);
    const second = tracker.receive(60);
    first();
    expect(acks).toEqual([]);
    second();
    expect(acks).toEqual([120]);
  });

  it('acks a trickle after rendering goes idle, not per write', () => {
    const { tracker, acks, timers } = setup(100, 50);
    tracker.start(0);
    tracker.receive(3)();
    timers.advance(20);
    tracker.receive(4)();
    expect(acks).toEqual([]);
    timers.advance(50);
    expect(acks).toEqual([7]);
    timers.advance(1000);
    expect(acks).toEqual([7]);
  });

  it('does not idle-ack while writes are still pending in the terminal', () => {
    const { tracker, acks, timers } = setup(100, 50);
    tracker.start(0);
    const a = tracker.receive(10);
    const b = tracker.receive(10);
    a();
    timers.advance(500);
    expect(acks).toEqual([]);
    b();
    timers.advance(50);
    expect(acks).toEqual([20]);
  });

  it('jumps to a skipped offset and acks it once the notice is rendered', () => {
    const { tracker, acks, timers } = setup(100, 50);
    tracker.start(0);
    tracker.receive(10)();
    tracker.skipTo(5000)();
    expect(tracker.resumeOffset()).toBe(5000);
    timers.advance(50);
    expect(acks).toEqual([5000]);
  });

  it('ignores write callbacks from before a stop or restart, but keeps the resume offset', () => {
    const { tracker, acks, timers } = setup(100, 50);
    tracker.start(0);
    const stale = tracker.receive(500);
    tracker.stop();
    expect(tracker.resumeOffset()).toBe(500);
    tracker.start(500);
    stale();
    timers.advance(100);
    expect(acks).toEqual([]);
    tracker.receive(1)();
    timers.advance(50);
    expect(acks).toEqual([501]);
  });

  it('cancels a pending idle ack when the connection stops', () => {
    const { tracker, acks, timers } = setup(100, 50);
    tracker.start(0);
    tracker.receive(5)();
    tracker.stop();
    timers.advance(100);
    expect(acks).toEqual([]);
    expect(timers.pending()).toBe(0);
  });
});

describe('StreamTracker.restore', () => {
  it('takes a saved offset as the next byte expected, or forgets the position', () => {
    const { tracker, acks } = setup(10);
    tracker.start(0);
    const late = tracker.receive(50);
    tracker.restore(500);
    late(); // a write of the stream left behind: no ack
    expect(acks).toEqual([]);
    expect(tracker.resumeOffset()).toBe(500);
    tracker.restore(null);
    expect(tracker.resumeOffset()).toBeNull();
    expect(tracker.offset()).toBe(0);
  });
});
