// Line-mode command history: ↑/↓ recall like a shell, kept in storage across reloads.
import type { KeyValueStore } from '../ui/storage.js';

/** Most lines kept, oldest dropped first: enough for a day at the bench, small enough for localStorage. */
export const HISTORY_MAX_LINES = 200;
/** Storage key of the history (a JSON array of strings, oldest first). */
export const HISTORY_STORAGE_KEY = 'serialdeck.history';

/**
 * Command history with a cursor. `add` records a sent line (empty lines and repeats of the newest are not
 * stored) and persists; `previous`/`next` walk older/newer entries, and walking past the newest returns the
 * draft that was being typed when the walk began.
 */
export class LineHistory {
  private readonly lines: string[];
  /** Index into `lines` while walking; `lines.length` means "at the draft". */
  private cursor: number;
  private draft = '';

  constructor(
    private readonly store: KeyValueStore,
    private readonly maxLines = HISTORY_MAX_LINES,
  ) {
    this.lines = parseHistory(store.getItem(HISTORY_STORAGE_KEY)).slice(-maxLines);
    this.cursor = this.lines.length;
  }

  /** All stored lines, oldest first (a copy). */
  entries(): string[] {
    return [...this.lines];
  }

  /** Records `line` as the newest entry (unless empty or equal to the newest), persists, and ends any walk. */
  add(line: string): void {
    if (line.trim() !== '' && this.lines[this.lines.length - 1] !== line) {
      this.lines.push(line);
      if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
      this.store.setItem(HISTORY_STORAGE_KEY, JSON.stringify(this.lines));
    }
    this.reset();
  }

  /** The next older entry, given the text currently in the input (kept as the draft); null at the oldest. */
  previous(current: string): string | null {
    if (this.cursor === 0 || this.lines.length === 0) return null;
    if (this.cursor === this.lines.length) this.draft = current;
    this.cursor -= 1;
    return this.lines[this.cursor] ?? null;
  }

  /** The next newer entry, or the saved draft after the newest; null when not walking. */
  next(): string | null {
    if (this.cursor >= this.lines.length) return null;
    this.cursor += 1;
    return this.cursor === this.lines.length ? this.draft : (this.lines[this.cursor] ?? null);
  }

  /** Ends a walk: the next `previous` starts from the newest entry again. */
  reset(): void {
    this.cursor = this.lines.length;
    this.draft = '';
  }
}

/** Parses stored history; anything malformed yields an empty history rather than an error. */
export function parseHistory(text: string | null): string[] {
  if (text === null) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
