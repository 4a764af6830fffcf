// Writes shown inline in the console (`alice> G28`), the conserver way: each write from anyone,
// placed after the output that came before it (its stream offset), in its own colour on its own line.
// The device's bytes are written to the terminal exactly as they came; a write's line goes between two
// chunks of them, never into one. Notes arrive as `wrote` messages, live and, after hello, for the
// replay; those not yet reached wait for their bytes. Off (the default), nothing is drawn.
import type { WriteNote } from '../../server/wire/api.js';

/** What the inline writes draw on: the console's byte writer and its write line. */
export interface WriteScreen {
  writeBytes(bytes: Uint8Array, done: () => void): void;
  writeWrote(name: string, text: string): void;
}

/** Writes remembered as already shown, at most: a reconnect's resent notes are told apart by these; older ones are long passed. */
const MAX_SEEN_WRITES = 4096;

/** The inline writes of the port shown. */
export class InlineWrites {
  private pending: WriteNote[] = [];
  private readonly seen = new Set<number>();
  private position = 0;
  private port: string | null = null;

  constructor(
    private readonly screen: WriteScreen,
    private enabled: boolean,
  ) {}

  /** Shows writes from now on (or stops); writes already passed are not drawn back in. */
  setEnabled(on: boolean): void {
    this.enabled = on;
  }

  /** A hello: the port shown (another one forgets everything) and the stream offset its bytes start at. */
  start(port: string, offset: number): void {
    if (port !== this.port) {
      this.port = port;
      this.pending = [];
      this.seen.clear();
    }
    this.position = offset;
  }

  /** A write to the port: drawn now if its place has been reached, else when its bytes come. */
  add(note: WriteNote): void {
    if (this.seen.has(note.writeOffset)) return;
    if (this.seen.size >= MAX_SEEN_WRITES) this.seen.clear();
    this.seen.add(note.writeOffset);
    if (note.offset <= this.position) return this.draw(note);
    // Keep them in stream order; equal offsets in write order.
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.offset > note.offset) i--;
    this.pending.splice(i, 0, note);
  }

  /** Device bytes at stream offset `offset`: written exactly, with due writes' lines between their pieces; `done` once all is rendered. */
  bytes(offset: number, bytes: Uint8Array, done: () => void): void {
    const end = offset + bytes.length;
    this.position = Math.max(this.position, offset);
    let from = 0;
    while (this.pending.length > 0 && this.pending[0]!.offset < end) {
      const note = this.pending.shift()!;
      const at = Math.max(0, note.offset - offset);
      if (at > from) this.screen.writeBytes(bytes.subarray(from, at), noop);
      from = Math.max(from, at);
      this.draw(note);
    }
    this.position = end;
    this.screen.writeBytes(from === 0 ? bytes : bytes.subarray(from), done);
  }

  private draw(note: WriteNote): void {
    if (this.enabled) this.screen.writeWrote(note.name, note.text);
  }
}

function noop(): void {}
