// One port's bridge (server/mqtt/port-bridge.ts) against a real memory-only Channel and a fake
// publisher that acknowledges when the test says: the window in flight is bounded whatever the
// device sends, the resume point moves only over frames acknowledged in order, a broker's refusal
// does not stall it, and bytes that left memory unpublished become one `missing` frame.
import { describe, expect, it } from 'vitest';
import type { AckedOffsetFile, ResumePoint } from '../../server/mqtt/acked-offsets.js';
import { decodeOutFrame, OutKind, type OutFrame } from '../../server/mqtt/out-frame.js';
import { PortBridge, WINDOW_FRAMES, type Publisher } from '../../server/mqtt/port-bridge.js';
import { topicsFor } from '../../server/mqtt/topics.js';
import { Channel } from '../../server/ports/channel.js';
import type { ServedPort } from '../../server/ports/served-port.js';

interface Sent {
  topic: string;
  frame: OutFrame | null;
  done?: (error?: Error) => void;
}

function setup(options: { scrollback?: number; saved?: ResumePoint | null } = {}) {
  const channel = new Channel(options.scrollback ?? 1024 * 1024, null);
  const port = {
    id: 'p',
    config: { name: 'p' },
    channel,
    device: { state: 'open' },
    listen: () => () => undefined,
    lines: () => ({ subscribe: () => () => undefined }),
    commands: { execute: async () => ({ ok: true }) },
  } as unknown as ServedPort;
  const sent: Sent[] = [];
  const waiting = new Set<() => void>();
  const publisher: Publisher = {
    publish(topic, payload, _options, done) {
      const decoded = typeof payload === 'string' ? null : decodeOutFrame(payload);
      sent.push({ topic, frame: decoded?.ok ? decoded.frame : null, ...(done ? { done } : {}) });
      for (const wake of waiting) wake();
    },
  };
  /** Resolves once a frame has been published on the output topic. */
  const firstFrame = () =>
    new Promise<void>((resolve) => {
      const wake = () => {
        if (!sent.some((s) => s.topic.endsWith('/out'))) return;
        waiting.delete(wake);
        resolve();
      };
      waiting.add(wake);
      wake();
    });
  const notes: ResumePoint[] = [];
  const resume = {
    load: async () => options.saved ?? null,
    note: (point: ResumePoint) => notes.push(point),
    close: async () => undefined,
  } as unknown as AckedOffsetFile;
  const frames = () => sent.filter((s) => s.topic.endsWith('/out'));
  return { channel, port, publisher, resume, sent, frames, notes, firstFrame };
}

const open = (t: ReturnType<typeof setup>) =>
  PortBridge.open(t.port, { node: 'n', topics: topicsFor('serialdeck'), publisher: t.publisher, resume: t.resume, input: { access: { tokenPrincipal: () => null, requiresCredentials: false }, inputRole: 'operator', readOnly: false }, log: () => undefined });

describe('PortBridge', () => {
  it('keeps at most WINDOW_FRAMES frames in flight, however much the device sends, and goes on as they are acknowledged', async () => {
    const t = setup();
    const bridge = await open(t);
    bridge.connected();
    for (let i = 0; i < WINDOW_FRAMES * 3; i++) t.channel.appendData(new Uint8Array(100).fill(i), 1000 + i * 100);
    expect(t.frames()).toHaveLength(WINDOW_FRAMES);
    expect(t.frames().map((s) => s.frame!.seq)).toEqual([...Array(WINDOW_FRAMES).keys()]);
    // Acknowledged out of order: the resume point waits for the first, then moves over all three.
    t.frames()[2]!.done!();
    t.frames()[1]!.done!();
    expect(t.notes).toEqual([]);
    t.frames()[0]!.done!();
    expect(t.notes.at(-1)).toEqual({ offset: 300, nextSeq: 3 });
    expect(t.frames()).toHaveLength(WINDOW_FRAMES + 3);
    // A refusal by the broker (a PUBACK reason code) counts as answered: the stream does not stall on it.
    t.frames()[3]!.done!(Object.assign(new Error('Publish error: Not authorized'), { code: 135 }));
    expect(t.notes.at(-1)).toEqual({ offset: 400, nextSeq: 4 });
    // Not delivered (the client was ended): the point stays.
    t.frames()[4]!.done!(new Error('Connection closed'));
    expect(t.notes.at(-1)).toEqual({ offset: 400, nextSeq: 4 });
    bridge.stop();
  });

  it('publishes nothing while disconnected, then goes on from where it stood', async () => {
    const t = setup();
    const bridge = await open(t);
    t.channel.appendData(new Uint8Array([1, 2, 3]), 1);
    expect(t.frames()).toHaveLength(0);
    bridge.connected();
    expect(t.frames().map((s) => [s.frame!.offset, s.frame!.end])).toEqual([[0, 3]]);
    bridge.disconnected();
    t.channel.appendData(new Uint8Array([4, 5]), 2);
    expect(t.frames()).toHaveLength(1);
    bridge.connected();
    expect(t.frames().map((s) => [s.frame!.offset, s.frame!.end, s.frame!.timeMs])).toEqual([[0, 3, 1], [3, 5, 2]]);
    // Every (re)connect republishes the port's status, retained.
    expect(t.sent.filter((s) => s.topic === 'serialdeck/n/p/status')).toHaveLength(2);
    bridge.stop();
  });

  it('says `missing` for bytes that left memory before they could be published, then goes on', async () => {
    const t = setup({ scrollback: 4096 });
    const bridge = await open(t);
    bridge.connected();
    // A broker that answers nothing: the window fills, and the device's output runs past the 4 KiB memory ring.
    for (let i = 0; i < 64 + WINDOW_FRAMES; i++) t.channel.appendData(new Uint8Array(1024), 1 + i);
    const before = t.frames().length;
    expect(before).toBe(WINDOW_FRAMES);
    for (const s of t.frames()) s.done!();
    const after = t.frames().slice(before);
    const missing = after.find((s) => s.frame!.kind === OutKind.missing)!;
    expect(missing.frame!.offset).toBeGreaterThan(0);
    expect(missing.frame!.end).toBe(t.channel.oldest);
    const next = after[after.indexOf(missing) + 1]!;
    expect(next.frame).toMatchObject({ kind: OutKind.live, offset: t.channel.oldest, seq: missing.frame!.seq + 1 });
    bridge.stop();
  });

  it('resumes at a saved point of its stream, with its seq', async () => {
    const t = setup({ saved: { offset: 2, nextSeq: 41 } });
    t.channel.appendData(new Uint8Array([9, 8, 7, 6]), 5);
    const bridge = await open(t);
    bridge.connected();
    // Offsets 0..4 were appended before the bridge listened: their times come from the channel's records.
    await t.firstFrame();
    const first = t.frames()[0]!.frame!;
    expect(first).toMatchObject({ kind: OutKind.live, offset: 2, end: 4, seq: 41 });
    expect([...first.data]).toEqual([7, 6]);
    bridge.stop();
  });
});
