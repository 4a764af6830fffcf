import { describe, expect, it } from 'vitest';
import { StreamTracker } from '../../client/connection/flow-control.js';
import { PortStreams } from '../../client/connection/port-streams.js';
import { manualTimers } from './client-fakes.js';

const setup = (initial: string | null = 'demo') => {
  const acks: number[] = [];
  const tracker = new StreamTracker({ sendAck: (offset) => acks.push(offset), timers: manualTimers(), ackEveryBytes: 1 });
  return { tracker, acks, streams: new PortStreams(tracker, initial) };
};

describe('PortStreams', () => {
  it('connects fresh to a port first shown, then resumes it at the offset it reached', () => {
    const { tracker, streams } = setup();
    expect(streams.target('live')).toEqual({ port: 'demo', offset: null, stream: null, mode: 'live' });
    expect(streams.hello('demo', 's-demo')).toBe(false);
    tracker.start(100);
    tracker.receive(20);
    expect(streams.target('live')).toEqual({ port: 'demo', offset: 120, stream: 's-demo', mode: 'live' });
  });

  it("keeps each port's position apart: a new port starts fresh, switching back resumes where it was left", () => {
    const { tracker, streams } = setup();
    streams.hello('demo', 's-demo');
    tracker.start(100);
    tracker.receive(20);

    expect(streams.switchTo('uno')).toBeNull();
    expect(tracker.resumeOffset()).toBeNull();
    expect(streams.target('live')).toEqual({ port: 'uno', offset: null, stream: null, mode: 'live' });
    streams.hello('uno', 's-uno');
    tracker.start(7);
    tracker.receive(3);

    expect(streams.switchTo('demo')).toEqual({ offset: 120, stream: 's-demo' });
    expect(tracker.offset()).toBe(120);
    expect(streams.target('lossless')).toEqual({ port: 'demo', offset: 120, stream: 's-demo', mode: 'lossless' });
    expect(streams.hello('demo', 's-demo')).toBe(false); // the same stream: no "new stream" notice

    expect(streams.switchTo('uno')).toEqual({ offset: 10, stream: 's-uno' });
    expect(streams.port()).toBe('uno');
  });

  it("ignores render callbacks of the port left, so they do not ack in the new port's stream", () => {
    const { tracker, streams, acks } = setup();
    streams.hello('demo', 's-demo');
    tracker.start(0);
    const late = tracker.receive(50);
    streams.switchTo('uno');
    late();
    expect(acks).toEqual([]);
  });

  it('learns the port from hello when it connected to the first port without naming one', () => {
    const { streams } = setup(null);
    expect(streams.target('live').port).toBeNull();
    streams.hello('demo', 's1');
    expect(streams.port()).toBe('demo');
  });

  it('reports a new stream when the port it resumes has another stream id', () => {
    const { tracker, streams } = setup();
    streams.hello('demo', 's1');
    tracker.start(0);
    tracker.receive(5);
    expect(streams.hello('demo', 's2')).toBe(true);
    expect(streams.stream()).toBe('s2');
  });
});
