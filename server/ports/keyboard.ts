// One port's keyboard, for single-writer mode (conserver's one read-write user): who holds it, who
// asked for it, and whether a write may go through. The ServedPort owns it, not the WebSocket fan-out,
// because every way in reaches the port's command path (pages, the HTTP API, MQTT input, a fleet
// console) and the command path asks it about every write; the fan-out seats its connections and
// turns their keyboard messages into calls here. On a `shared` port it lets every write through.
import type { CommandErrorCode } from '../wire/api.js';
import type { KeyboardChange, KeyboardSeat, WritersMode } from '../wire/protocol.js';
import { roleAllows, type Role } from '../wire/roles.js';

/** A connection that may hold the keyboard: its id on the port, its name and its role there. */
export interface Seat {
  id: string;
  name: string;
  role: Role | null;
}

/** Who is writing, as the keyboard needs to know: the command path's Requester has these fields. */
export interface Writer {
  /** The connection writing (a page's WebSocket); absent for the HTTP API and MQTT. */
  seat?: string | undefined;
  /** Who: the display name (a connection's) or the credential's name (a script's). */
  name: string;
  role: Role | null;
}

/** The keyboard's state, as the `keyboard` message sends it. */
export interface KeyboardState {
  holder: KeyboardSeat | null;
  requests: KeyboardSeat[];
}

/** The outcome of a keyboard action or a write's check: done, or refused with a code and a reason for the asker. */
export type KeyboardOutcome = { ok: true } | { ok: false; code: CommandErrorCode; message: string };

/** Hears every change of the keyboard's state, with what happened. */
export type KeyboardListener = (state: KeyboardState, change: KeyboardChange) => void;

const DONE: KeyboardOutcome = { ok: true };

/** A port's keyboard. Seats come and go with connections; the holder is one of them, or nobody. */
export class Keyboard {
  private readonly seats = new Map<string, Seat>();
  private holder: Seat | null = null;
  /** Seats that asked, first first; never holds the holder. Non-empty only while someone holds the keyboard. */
  private readonly queue: Seat[] = [];
  private readonly listeners = new Set<KeyboardListener>();

  /** `mode` is the port's `writers` setting. */
  constructor(readonly mode: WritersMode) {}

  /** True on a single-writer port. */
  get single(): boolean {
    return this.mode === 'single';
  }

  /** Hears every change until the returned function is called. */
  listen(listener: KeyboardListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Who holds it and who asked, first first. */
  state(): KeyboardState {
    return { holder: this.holder && seatOf(this.holder), requests: this.queue.map(seatOf) };
  }

  /** True when connection `id` holds the keyboard. */
  holds(id: string): boolean {
    return this.holder?.id === id;
  }

  /** A connection arrived: it may ask for the keyboard, be handed it, or type first to take it. */
  join(seat: Seat): void {
    this.seats.set(seat.id, { ...seat });
  }

  /**
   * Connection `id` left. Its request is withdrawn; if it held the keyboard, the first who asked gets it
   * (they asked, and are waiting), or nobody does. True when the keyboard's state changed.
   */
  leave(id: string): boolean {
    const seat = this.seats.get(id);
    this.seats.delete(id);
    if (!seat) return false;
    if (this.holder === seat) {
      const next = this.queue.shift() ?? null;
      this.holder = next;
      this.emit({ kind: 'left', by: seat.name, ...(next ? { to: next.name } : {}) });
      return true;
    }
    const queued = this.queue.indexOf(seat);
    if (queued < 0) return false;
    this.queue.splice(queued, 1);
    this.emit({ kind: 'withdrew', by: seat.name });
    return true;
  }

  /** Connection `id` asks for the keyboard: it gets it at once when nobody holds it, else it joins the queue. */
  request(id: string): KeyboardOutcome {
    const seat = this.seats.get(id);
    const refusal = this.refuseSeat(seat, 'asking for the keyboard');
    if (refusal || !seat) return refusal ?? unknownSeat(id);
    if (this.holder === seat || this.queue.includes(seat)) return DONE;
    if (this.holder === null) {
      this.holder = seat;
      this.emit({ kind: 'took', by: seat.name });
    } else {
      this.queue.push(seat);
      this.emit({ kind: 'asked', by: seat.name, to: this.holder.name });
    }
    return DONE;
  }

  /**
   * Connection `id` lets go: the holder's keyboard goes to the first who asked (or nobody); a connection
   * that only asked withdraws its request. Harmless from anyone else.
   */
  release(id: string): KeyboardOutcome {
    const refusal = this.refuseMode();
    if (refusal) return refusal;
    const seat = this.seats.get(id);
    if (!seat) return DONE;
    if (this.holder === seat) {
      const next = this.queue.shift() ?? null;
      this.holder = next;
      this.emit({ kind: 'released', by: seat.name, ...(next ? { to: next.name } : {}) });
      return DONE;
    }
    const queued = this.queue.indexOf(seat);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.emit({ kind: 'withdrew', by: seat.name });
    }
    return DONE;
  }

  /** The holder `id` hands the keyboard to connection `to`, which must be here and allowed to type (it need not have asked). */
  grant(id: string, to: string): KeyboardOutcome {
    const refusal = this.refuseMode();
    if (refusal) return refusal;
    const seat = this.seats.get(id);
    if (!seat || this.holder !== seat)
      return { ok: false, code: 'not-holder', message: `only the holder of the keyboard can hand it over; ${this.holderWords()}` };
    const target = this.seats.get(to);
    if (!target) return { ok: false, code: 'bad-request', message: `nobody with id ${JSON.stringify(to)} is connected to this port` };
    if (!roleAllows(target.role, 'write'))
      return { ok: false, code: 'bad-request', message: `${target.name} is ${target.role ?? 'not allowed here'} and cannot type here` };
    if (target === seat) return DONE;
    this.dequeue(target);
    this.holder = target;
    this.emit({ kind: 'handed', by: seat.name, to: target.name });
    return DONE;
  }

  /** An admin (connection `id`) takes the keyboard outright, as conserver's force attach; the previous holder keeps watching. */
  take(id: string): KeyboardOutcome {
    const refusal = this.refuseMode();
    if (refusal) return refusal;
    const seat = this.seats.get(id);
    if (!seat) return unknownSeat(id);
    if (!roleAllows(seat.role, 'audit'))
      return { ok: false, code: 'forbidden', message: `taking the keyboard by force needs the admin role; ${seat.name} is ${seat.role ?? 'not allowed here'}: ask for it instead` };
    if (this.holder === seat) return DONE;
    const from = this.holder;
    this.dequeue(seat);
    this.holder = seat;
    this.emit(from ? { kind: 'forced', by: seat.name, from: from.name } : { kind: 'took', by: seat.name });
    return DONE;
  }

  /**
   * May `writer` write now? Always on a shared port. On a single-writer port only the holder's
   * connection may; a connection allowed to type that finds the keyboard free takes it with its first
   * write. A script (no connection) may write while a connection of the same name holds it.
   * The role is checked before this (the command path), so a viewer never gets here.
   */
  checkWrite(writer: Writer): KeyboardOutcome {
    if (!this.single) return DONE;
    const holder = this.holder;
    if (writer.seat !== undefined) {
      if (holder?.id === writer.seat) return DONE;
      const seat = this.seats.get(writer.seat);
      if (holder === null && seat && roleAllows(seat.role, 'write')) {
        this.holder = seat;
        this.emit({ kind: 'took', by: seat.name });
        return DONE;
      }
    } else if (holder !== null && holder.name === writer.name) {
      return DONE;
    }
    const how = writer.seat === undefined ? 'hold the keyboard in the page under the same name, then write' : 'ask for the keyboard';
    return { ok: false, code: 'not-holder', message: `not sent: this port takes one writer at a time and ${this.holderWords()}; ${how}` };
  }

  private holderWords(): string {
    return this.holder ? `${this.holder.name} holds the keyboard` : 'nobody holds the keyboard';
  }

  private refuseMode(): KeyboardOutcome | null {
    return this.single
      ? null
      : { ok: false, code: 'bad-request', message: 'this port is shared: everyone with the operator role types, there is no keyboard to hold' };
  }

  private refuseSeat(seat: Seat | undefined, what: string): KeyboardOutcome | null {
    const refusal = this.refuseMode();
    if (refusal || !seat) return refusal;
    if (roleAllows(seat.role, 'write')) return null;
    return { ok: false, code: 'read-only', message: `${what} needs the operator role; ${seat.name} is ${seat.role ?? 'not allowed here'}` };
  }

  private dequeue(seat: Seat): void {
    const queued = this.queue.indexOf(seat);
    if (queued >= 0) this.queue.splice(queued, 1);
  }

  private emit(change: KeyboardChange): void {
    const state = this.state();
    for (const listener of this.listeners) listener(state, change);
  }
}

function seatOf(seat: Seat): KeyboardSeat {
  return { id: seat.id, name: seat.name };
}

function unknownSeat(id: string): KeyboardOutcome {
  return { ok: false, code: 'bad-request', message: `connection ${JSON.stringify(id)} is not on this port` };
}
