// Which port the page shows, and where it left every other port's stream, so switching back resumes there.
import type { StreamMode } from '../../server/wire/protocol.js';
import type { StreamTracker } from './flow-control.js';
import type { SocketTarget } from './ws-url.js';

/** Where the page left a port's stream: the next offset it expected, and the stream that offset belongs to. */
export interface StreamPosition {
  offset: number;
  stream: string | null;
}

/** What a PortStreams needs of the tracker: the offset to resume from, and a way to set it. */
export type OffsetKeeper = Pick<StreamTracker, 'resumeOffset' | 'restore'>;

/**
 * The current port (null until known: the page then connects to the first port, `ws`), its stream id,
 * and the positions left on other ports. The offset itself lives in the tracker; this keeps the rest.
 */
export class PortStreams {
  private current: string | null;
  private streamId: string | null = null;
  private readonly left = new Map<string, StreamPosition>();

  constructor(
    private readonly tracker: OffsetKeeper,
    initialPort: string | null,
  ) {
    this.current = initialPort;
  }

  /** The current port's id, or null before the first hello when none was asked for. */
  port(): string | null {
    return this.current;
  }

  /** The stream the tracker's offsets belong to (from the last hello), or null before one. */
  stream(): string | null {
    return this.streamId;
  }

  /** Where the next connection goes: the current port, resuming at the tracker's offset in that stream. */
  target(mode: StreamMode): SocketTarget {
    const offset = this.tracker.resumeOffset();
    return { port: this.current, offset, stream: offset === null ? null : this.streamId, mode };
  }

  /**
   * A hello arrived (the tracker is not yet restarted). Learns the port's id when connected to the first
   * port; returns true when the page had a position in another stream (old and new output must be told apart).
   */
  hello(port: string, stream: string): boolean {
    if (this.current === null) this.current = port;
    const changed = this.tracker.resumeOffset() !== null && stream !== this.streamId;
    this.streamId = stream;
    return changed;
  }

  /**
   * Leaves the current port (keeping its position) for `port`, and restores the position left there, if
   * any, into the tracker. Returns that position (null: first visit, the connection starts fresh).
   */
  switchTo(port: string): StreamPosition | null {
    const offset = this.tracker.resumeOffset();
    if (this.current !== null && offset !== null) this.left.set(this.current, { offset, stream: this.streamId });
    this.current = port;
    const back = this.left.get(port) ?? null;
    this.tracker.restore(back ? back.offset : null);
    this.streamId = back ? back.stream : null;
    return back;
  }
}
