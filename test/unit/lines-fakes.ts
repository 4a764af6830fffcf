// A clock the line-layer tests drive by hand: time moves, and due timers fire, only on advance().
import type { LinesClock } from '../../server/lines/port-lines.js';

/** A LinesClock with manual time (ms) and timers; `pending` counts the timers not yet fired. */
export class FakeClock implements LinesClock {
  private timers: Array<{ at: number; callback: () => void; id: number }> = [];
  private nextId = 1;
  constructor(public nowMs = 1_000) {}
  now(): number {
    return this.nowMs;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.nowMs + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }
  /** Moves time on by `ms` and fires every timer due by then. */
  advance(ms: number): void {
    this.nowMs += ms;
    for (const timer of this.timers.filter((t) => t.at <= this.nowMs)) {
      this.clearTimeout(timer.id);
      timer.callback();
    }
  }
  get pending(): number {
    return this.timers.length;
  }
}
