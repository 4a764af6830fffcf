// A port's channel: the one place its stream lives. It owns the stream's offsets (durable when a
// capture is kept: they continue after a restart), the memory ring of the newest bytes, and the
// capture on disk with arrival times, writes and events. Every reader (WebSocket clients, downloads,
// later SSE and MQTT) subscribes here and reads by offset; none of them can slow the device.
import { randomUUID } from 'node:crypto';
import type { CaptureRecord, CaptureStore } from '../capture/capture-store.js';
import type { CaptureStatus } from '../wire/api.js';
import type { SkipReason } from '../wire/protocol.js';
import { DiskBlockCache } from './disk-block-cache.js';
import { MemoryRing } from './memory-ring.js';

/** An event recorded in the capture: a JSON object with a string `type` (device state, command, server start/stop). */
export type ChannelEvent = { type: string; [key: string]: unknown };

/** What a subscriber hears: new deliverable data, and a change of the capture's state or start. */
export interface ChannelListener {
  /** More may be deliverable (new bytes, or a raised reservation): readers pull by offset. */
  data?(): void;
  /** Every appended chunk with its offset and arrival time (ms since the epoch), before data(): for readers that frame lines as bytes arrive. Do not modify `bytes`. */
  appended?(bytes: Uint8Array, offset: number, timeMs: number): void;
  capture?(status: CaptureStatus): void;
}

/** Gaps remembered for skipReason(), at most: a port with more has a broken link, and older ones are read rarely. */
const MAX_REMEMBERED_GAPS = 256;

/** One port's stream. */
export class Channel {
  /** Names the stream; with a capture it is kept in the capture's directory, so it survives restarts. */
  readonly streamId: string;
  /** The newest bytes, by stream offset: what live readers are served from. */
  readonly memory: MemoryRing;
  private readonly listeners = new Set<ChannelListener>();
  private readonly unsubscribeCapture: (() => void) | null;
  /** Disk reads shared by readers at nearby offsets (null without a capture). */
  private readonly diskCache: DiskBlockCache | null;
  private lastCaptureKey = '';
  /** Ranges skipTo() stepped over since start, newest last, with why (the capture keeps them as `gap` events). */
  private readonly gaps: Array<{ from: number; to: number; reason: SkipReason }> = [];

  /** `capture` null: memory only, offsets start at 0 and a restart begins a new stream. */
  constructor(
    scrollbackBytes: number,
    private readonly capture: CaptureStore | null,
    private readonly now: () => number = Date.now,
  ) {
    this.memory = new MemoryRing(scrollbackBytes, capture?.resumeOffset ?? 0);
    this.streamId = capture?.streamId ?? randomUUID();
    this.unsubscribeCapture = capture?.onChange(() => this.onCaptureChange()) ?? null;
    this.diskCache = capture ? new DiskBlockCache((offset, maxBytes) => capture.readData(offset, maxBytes)) : null;
    this.lastCaptureKey = captureKey(this.captureStatus);
  }

  /** Offset one past the newest byte received. */
  get end(): number {
    return this.memory.end;
  }

  /**
   * Readers may be sent bytes below this: the newest byte, held back only while the capture's
   * durable reservation of offsets lags (so a crash can never hand an offset two meanings).
   */
  get deliverableEnd(): number {
    return Math.min(this.memory.end, this.capture?.deliverLimit ?? Infinity);
  }

  /** Oldest offset any reader can still get, from disk or memory. */
  get oldest(): number {
    return this.capture ? Math.min(this.capture.start, this.memory.start) : this.memory.start;
  }

  /**
   * Oldest offset a live reader is still sent: the newest scrollback's worth of the stream, from
   * memory, or from disk while memory refills after a restart (so a page that was connected before
   * the restart gets what passed while it was away, as it would have from memory).
   */
  get liveStart(): number {
    return Math.max(this.oldest, this.memory.windowStart);
  }

  /** The capture's state for the API and the page. */
  get captureStatus(): CaptureStatus {
    const capture = this.capture;
    if (!capture) return { state: 'off', start: this.memory.start, startTimeMs: null, bytesOnDisk: 0 };
    const stats = capture.stats;
    const state = capture.state;
    const status: CaptureStatus = {
      state: state.state,
      start: this.oldest,
      startTimeMs: stats.startTimeMs,
      bytesOnDisk: stats.bytesOnDisk,
    };
    if (state.state === 'paused') status.reason = state.reason;
    return status;
  }

  /** Hears new data and capture changes until the returned function is called. */
  subscribe(listener: ChannelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Bytes from the device, with the arrival time of their first byte (ms since the epoch). The array is kept: do not modify it. */
  appendData(bytes: Uint8Array, timeMs: number): void {
    if (bytes.byteLength === 0) return;
    const offset = this.memory.end;
    this.memory.append(bytes);
    this.capture?.appendData(bytes, timeMs);
    for (const listener of this.listeners) {
      listener.appended?.(bytes, offset, timeMs);
      listener.data?.();
    }
  }

  /**
   * Moves the stream's end forward to `offset` with no bytes for [end, offset): a gap in a stream
   * received from elsewhere (a fleet console's remote port), which readers are told of with `reason`.
   * Memory restarts empty at `offset`; the capture steps over the range. Nothing happens if `offset` <= end.
   */
  skipTo(offset: number, reason: SkipReason): void {
    const from = this.memory.end;
    if (offset <= from) return;
    this.memory.jumpTo(offset);
    this.capture?.skipTo(offset);
    this.gaps.push({ from, to: offset, reason });
    if (this.gaps.length > MAX_REMEMBERED_GAPS) this.gaps.shift();
    this.recordEvent({ type: 'gap', from, to: offset, reason });
    for (const listener of this.listeners) listener.data?.();
  }

  /** Records bytes sent to the device, and who sent them (e.g. `ws:3@127.0.0.1`, `http@…`). The array is kept until the capture's flush: do not modify or transfer it. */
  recordWrite(bytes: Uint8Array, source: string): void {
    this.capture?.appendWrite(bytes, this.now(), source);
  }

  /** Records an event (device state, command, refusal, server start/stop). */
  recordEvent(event: ChannelEvent): void {
    this.capture?.appendEvent(event, this.now());
  }

  /** Up to `maxBytes` from disk at `offset` (before the memory ring); `offset` in the result is past any gap. */
  readDisk(offset: number, maxBytes: number): Promise<{ offset: number; chunks: Uint8Array[] }> {
    if (!this.capture) return Promise.resolve({ offset: Math.max(offset, this.memory.start), chunks: [] });
    // The gap a crash left holds no bytes and never will: step over it now, not once new data follows it.
    const capture = this.capture;
    const lost = capture.lostOnOpen;
    if (lost && offset >= lost.from && offset < lost.to) return Promise.resolve({ offset: lost.to, chunks: [] });
    return this.diskCache!.readData(offset, maxBytes).then((result) => {
      // Nothing held from `offset` up to what is on disk: an uncaptured gap (capture was paused)
      // that reaches the flushed end. Its bytes will never be on disk: go on where they can be had.
      const onwards = Math.min(capture.flushedEnd, this.memory.start);
      return result.chunks.length === 0 && result.offset < onwards ? { offset: onwards, chunks: [] } : result;
    });
  }

  /** Why offsets [from, to) cannot be delivered: lost in a crash, older than anything kept, or never captured. */
  skipReason(from: number, to: number): SkipReason {
    for (const gap of this.gaps) if (from < gap.to && to > gap.from) return gap.reason;
    const lost = this.capture?.lostOnOpen;
    if (lost && from < lost.to && to > lost.from) return 'lost';
    if (!this.capture || from < this.capture.start) return 'not-buffered';
    return 'not-captured';
  }

  /** First offset whose byte arrived at or after `timeMs` (memory-only channels: the ring's start when earlier, else the end). */
  async offsetAtTime(timeMs: number): Promise<number> {
    if (this.capture) return this.capture.offsetAtTime(timeMs);
    return timeMs <= this.now() ? this.memory.start : this.memory.end;
  }

  /**
   * Records in [from, to): from the capture (flushed first, so the newest bytes are in it), or, with
   * no capture, the memory ring's bytes as one data record stamped now (no arrival times are kept in memory).
   */
  async *records(from: number, to: number, signal?: AbortSignal): AsyncIterable<CaptureRecord> {
    if (this.capture) {
      await this.capture.flush();
      yield* this.capture.records(from, to, signal ? { signal } : {});
      return;
    }
    const start = Math.max(from, this.memory.start);
    const end = Math.min(to, this.memory.end);
    let offset = start;
    while (offset < end) {
      for (const chunk of this.memory.read(offset, Math.min(end - offset, 64 * 1024))) {
        yield { kind: 'data', offset, timeMs: this.now(), bytes: chunk.slice() };
        offset += chunk.byteLength;
      }
    }
  }

  /** Stops listening to the capture (the capture itself is closed by its owner). */
  dispose(): void {
    this.unsubscribeCapture?.();
    this.listeners.clear();
  }

  private onCaptureChange(): void {
    const status = this.captureStatus;
    const key = captureKey(status);
    const changed = key !== this.lastCaptureKey;
    this.lastCaptureKey = key;
    for (const listener of this.listeners) {
      // A raised reservation lets held-back bytes go out.
      listener.data?.();
      if (changed) listener.capture?.(status);
    }
  }
}

/** What makes a capture change worth telling readers: its state, its reason, and its start (retention). Not the bytes on disk, which grow with every flush. */
function captureKey(status: CaptureStatus): string {
  return `${status.state}|${status.reason ?? ''}|${status.start}`;
}
