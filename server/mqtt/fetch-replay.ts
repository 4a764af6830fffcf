// Answers a fleet console's FetchRequest for one port: the range [from, to) republished from the
// capture as `replay` frames on the console's replay topic, a `missing` frame for any part no
// longer held, then one `replayEnd`. One fetch at a time per port, a bounded batch in flight, so a
// console asking for hours of output costs the node a steady trickle, not its memory.
import { encodeOutFrame, OutKind } from './out-frame.js';
import type { FetchRequest } from './fleet-messages.js';
import type { OutputReader } from './output-reader.js';
import { isTopicLevel } from './topics.js';

/** Fetches waiting per port, at most: beyond it a console is asking faster than it could use the answers; more are dropped (logged). */
export const FETCH_QUEUE_MAX = 16;
/** One batch of a reply, read from the capture and in flight at once, in bytes: 256 KiB, what a port's live window holds too. */
export const FETCH_BATCH_BYTES = 256 * 1024;
/** ...and in frames: 32, so a batch of small records does not become hundreds of messages in flight. */
export const FETCH_BATCH_FRAMES = 32;

/** Sends one QoS 1 frame; resolves once the broker answered it (acknowledged or refused) or the client was ended. */
export type FramePublisher = (topic: string, frame: Buffer) => Promise<void>;

/** Checks a FetchRequest payload; the reason when it is not one. */
export function decodeFetchRequest(payload: Uint8Array): { ok: true; request: FetchRequest } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return { ok: false, error: 'fetch request is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'fetch request is not a JSON object' };
  const { consoleId, from, to } = value as Record<string, unknown>;
  if (typeof consoleId !== 'string' || !isTopicLevel(consoleId)) return { ok: false, error: 'fetch request: consoleId must be one topic level' };
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || (from as number) < 0 || (to as number) < (from as number))
    return { ok: false, error: 'fetch request: from and to must be offsets with from <= to' };
  return { ok: true, request: { consoleId, from: from as number, to: to as number } };
}

/** One port's fetch answers. */
export class FetchReplay {
  private readonly queue: FetchRequest[] = [];
  private running = false;
  private closed = false;

  /** `topicFor(consoleId)` is the console's replay topic for this port. */
  constructor(
    private readonly reader: OutputReader,
    private readonly topicFor: (consoleId: string) => string,
    private readonly publish: FramePublisher,
    private readonly log: (line: string) => void,
  ) {}

  /** Queues a fetch from a payload; a malformed one or one over the queue's bound is logged and dropped (there is no one to answer). */
  handle(payload: Uint8Array): void {
    const decoded = decodeFetchRequest(payload);
    if (!decoded.ok) return this.log(decoded.error);
    if (this.queue.length >= FETCH_QUEUE_MAX) return this.log(`fetch from ${decoded.request.consoleId} dropped: ${FETCH_QUEUE_MAX} fetches are waiting`);
    this.queue.push(decoded.request);
    if (!this.running) void this.run();
  }

  /** Stops after the batch in flight. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let request = this.queue.shift(); request && !this.closed; request = this.queue.shift()) await this.answer(request);
    } catch (error) {
      this.log(`fetch: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  private async answer({ consoleId, from, to }: FetchRequest): Promise<void> {
    const topic = this.topicFor(consoleId);
    let seq = 0;
    let at = from;
    while (at < to && !this.closed) {
      const pieces = await this.reader.readRange(at, to, FETCH_BATCH_BYTES, FETCH_BATCH_FRAMES);
      if (pieces.length === 0) break; // the reader closed
      const acks: Promise<void>[] = [];
      for (const piece of pieces) {
        const frame =
          piece.kind === 'data'
            ? encodeOutFrame({ kind: OutKind.replay, seq: seq++, offset: piece.offset, timeMs: piece.timeMs, data: piece.data })
            : encodeOutFrame({ kind: OutKind.missing, seq: seq++, offset: piece.offset, timeMs: Date.now(), data: EMPTY, end: piece.end });
        acks.push(this.publish(topic, frame));
        at = piece.kind === 'data' ? piece.offset + piece.data.byteLength : piece.end;
      }
      await Promise.all(acks);
    }
    if (this.closed) return;
    await this.publish(topic, encodeOutFrame({ kind: OutKind.replayEnd, seq, offset: to, timeMs: Date.now(), data: EMPTY }));
  }
}

const EMPTY = new Uint8Array(0);
