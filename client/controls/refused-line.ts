// Bug 5: a line the server refused must not vanish from the input. Binary frames carry no id, so the
// refusal cannot name its line; but the server answers a refused frame with an `error` to its sender
// alone, at once (the refusal happens before anything is queued). So an `error` with a write refusal's
// code that arrives within a short window of sending a line, before another line went out, is that
// line's refusal. Simple, and wrong only if two things this tab sent were refused in the same instant.
import type { ErrorCode } from '../../server/wire/protocol.js';

/** How long after a line is sent its refusal may arrive, in ms: a round trip to a busy Pi and back. */
export const REFUSAL_WINDOW_MS = 2000;

/** The `error` codes that mean "these bytes were not written". */
const WRITE_REFUSALS: ReadonlySet<string> = new Set<ErrorCode>(['not-open', 'read-only', 'write-queue-full']);

/** True when an `error` with `code` refuses a write (as opposed to, say, a malformed control message). */
export function isWriteRefusal(code: string): boolean {
  return WRITE_REFUSALS.has(code);
}

/** Remembers the last line sent, to give it back if the server refuses it (see the file comment). */
export class RefusedLineWatch {
  private last: { line: string; atMs: number } | null = null;

  /** A line (as typed, without its ending) just went out at `nowMs`. */
  sent(line: string, nowMs: number): void {
    this.last = { line, atMs: nowMs };
  }

  /** Forgets the last line (the port changed, the connection dropped). */
  clear(): void {
    this.last = null;
  }

  /** An `error` with `code` arrived at `nowMs`: the line it refused, once, or null when it is not a line's refusal. */
  refused(code: string, nowMs: number): string | null {
    const last = this.last;
    if (!last || !isWriteRefusal(code) || nowMs - last.atMs > REFUSAL_WINDOW_MS) return null;
    this.last = null;
    return last.line;
  }
}
