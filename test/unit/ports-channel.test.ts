import { describe, expect, it } from 'vitest';
import type { CaptureStore } from '../../server/capture/capture-store.js';
import { Channel } from '../../server/ports/channel.js';

/** A capture as the channel sees it: data held on "disk" for [heldFrom, heldTo) only, flushed up to flushedEnd. */
function fakeCapture(options: { heldFrom: number; heldTo: number; flushedEnd: number; lost?: { from: number; to: number } }) {
  return {
    resumeOffset: 0,
    streamId: 'stream-1',
    lostOnOpen: options.lost ?? null,
    start: options.heldFrom,
    deliverLimit: Infinity,
    flushedEnd: options.flushedEnd,
    state: { state: 'capturing' },
    stats: { bytesOnDisk: 0, segments: 1, startTimeMs: null },
    onChange: () => () => {},
    appendData: () => {},
    appendWrite: () => {},
    appendEvent: () => {},
    async readData(offset: number, maxBytes: number) {
      const from = Math.max(offset, options.heldFrom);
      if (from >= options.heldTo) return { offset, chunks: [] };
      return { offset: from, chunks: [new Uint8Array(Math.min(maxBytes, options.heldTo - from))] };
    },
  } as unknown as CaptureStore;
}

const channelWith = (capture: CaptureStore) => {
  const channel = new Channel(100, capture);
  for (let i = 0; i < 5; i++) channel.appendData(new Uint8Array(100), i); // memory keeps [400, 500)
  expect(channel.memory.start).toBe(400);
  return channel;
};

describe('Channel.readDisk', () => {
  it('passes through what the disk holds', async () => {
    const channel = channelWith(fakeCapture({ heldFrom: 0, heldTo: 300, flushedEnd: 500 }));
    const read = await channel.readDisk(10, 64);
    expect(read.offset).toBe(10);
    expect(read.chunks[0]!.byteLength).toBe(64);
  });

  it('steps over an uncaptured gap that reaches the flushed end, to where the bytes can be had', async () => {
    // Capture paused at 300 and resumed after the device went quiet: nothing on disk after 300.
    const channel = channelWith(fakeCapture({ heldFrom: 0, heldTo: 300, flushedEnd: 500 }));
    expect(await channel.readDisk(300, 64)).toEqual({ offset: 400, chunks: [] }); // memory has [400, 500)
    const shortFlush = channelWith(fakeCapture({ heldFrom: 0, heldTo: 300, flushedEnd: 350 }));
    expect(await shortFlush.readDisk(300, 64)).toEqual({ offset: 350, chunks: [] }); // the rest is pending: wait there
  });

  it('waits (returns nothing, same offset) for bytes not flushed yet', async () => {
    const channel = channelWith(fakeCapture({ heldFrom: 0, heldTo: 300, flushedEnd: 300 }));
    expect(await channel.readDisk(300, 64)).toEqual({ offset: 300, chunks: [] });
  });

  it("steps over a crash's lost gap at once", async () => {
    const channel = channelWith(fakeCapture({ heldFrom: 0, heldTo: 0, flushedEnd: 0, lost: { from: 0, to: 250 } }));
    expect(await channel.readDisk(100, 64)).toEqual({ offset: 250, chunks: [] });
    expect(channel.skipReason(100, 250)).toBe('lost');
  });
});
