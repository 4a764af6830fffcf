// Each port's recent writes as the console shows them inline (`alice> G28`): what a page that
// reloads asks for, to annotate the output it replays. Memory only, bounded per port: older writes
// are in the audit log and the capture download.
import type { WriteNote } from '../wire/api.js';

/** Writes kept per port: 1,000 (at most ~250 KB of previews) covers what a reload replays (1 MiB of scrollback) for all but a raw-mode typist's keystrokes. */
export const RECENT_WRITES_PER_PORT = 1000;

/** The recent writes of every port. */
export class RecentWrites {
  private readonly byPort = new Map<string, WriteNote[]>();

  constructor(private readonly perPort = RECENT_WRITES_PER_PORT) {}

  /** Keeps `note` as port `port`'s newest write, forgetting the oldest past the limit. */
  add(port: string, note: WriteNote): void {
    let notes = this.byPort.get(port);
    if (!notes) this.byPort.set(port, (notes = []));
    notes.push(note);
    // Drop in batches: one splice per tenth of the limit instead of a shift per write.
    if (notes.length > this.perPort + Math.ceil(this.perPort / 10)) notes.splice(0, notes.length - this.perPort);
  }

  /** Port `port`'s writes at stream offset `from` or later (at most the limit), oldest first. */
  since(port: string, from: number): WriteNote[] {
    const notes = this.byPort.get(port) ?? [];
    return notes.filter((note) => note.offset >= from).slice(-this.perPort);
  }

  /** Forgets a port (it is no longer served). */
  forget(port: string): void {
    this.byPort.delete(port);
  }
}
