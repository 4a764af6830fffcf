// Commands the page sent with an id, until the server's `result` says accepted or refused. The answer
// goes only to this tab, so this is where a refusal becomes a toast for the person who clicked.
import type { CommandErrorCode } from '../../server/wire/api.js';

/**
 * Most commands kept waiting for an answer: a person clicks a few controls at a time; beyond this the
 * oldest are forgotten (their answers then show nothing) rather than kept forever if a server never answers.
 */
export const MAX_PENDING_REQUESTS = 32;

/** What a settled command calls for: a toast in `tone`. */
export interface RequestOutcome {
  tone: 'info' | 'error';
  text: string;
}

/** The fields of a `result` message the ledger reads. */
export interface ResultLike {
  id: number;
  ok: boolean;
  code?: CommandErrorCode;
  message?: string;
}

/** Words for a refusal's code, when the server sends no message. */
const CODE_TEXT: Readonly<Record<CommandErrorCode, string>> = {
  'read-only': 'this port is read-only',
  forbidden: 'your role does not allow that',
  'not-holder': 'someone else holds the keyboard of this port',
  'not-open': 'the device is not open',
  'write-queue-full': 'too much is still waiting to be written',
  'bad-request': 'the server did not accept the request',
  device: 'the device refused it',
  timeout: 'no answer from the serial worker in time',
};

/** Ids for commands and what to say when each is answered. Ids start at 1 and only grow. */
export class RequestLedger {
  private nextId = 1;
  private readonly pending = new Map<number, { what: string; done: string | null }>();

  /**
   * Registers a command about to be sent; `what` names it in a refusal ("Set baud rate"), `done` is the
   * toast when accepted (omit: accepted silently). Returns the id to send with it.
   */
  register(what: string, done?: string): number {
    const id = this.nextId++;
    this.pending.set(id, { what, done: done ?? null });
    // Maps iterate in insertion order: the first key is the oldest.
    for (const oldest of this.pending.keys()) {
      if (this.pending.size <= MAX_PENDING_REQUESTS) break;
      this.pending.delete(oldest);
    }
    return id;
  }

  /** Forgets `id` without an answer (the command could not be sent). */
  cancel(id: number): void {
    this.pending.delete(id);
  }

  /** The toast `result` calls for, or null (an id not sent from here, or accepted with nothing to say). */
  settle(result: ResultLike): RequestOutcome | null {
    const request = this.pending.get(result.id);
    if (request === undefined) return null;
    this.pending.delete(result.id);
    if (result.ok) return request.done === null ? null : { tone: 'info', text: request.done };
    const why = result.message || (result.code ? CODE_TEXT[result.code] : undefined) || 'refused';
    return { tone: 'error', text: `${request.what} refused: ${why}` };
  }

  /** Forgets every pending command (the connection dropped or the port changed: their answers will not come). */
  clear(): void {
    this.pending.clear();
  }

  /** Commands still waiting for an answer. */
  size(): number {
    return this.pending.size;
  }
}
