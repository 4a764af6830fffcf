// Each port's console filters (hide, show only, highlight: regular expressions the page applies to
// its Lines view), kept on the server so every viewer and a reload see the same list. They live in
// `<dataDir>/ports/<id>/filters.json`, beside the capture, replaced atomically; with no data
// directory they are kept in memory only. The server compiles a pattern to refuse one that does
// not, but never runs one: only the pages match lines against them.
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { writeFileAtomic } from '../capture/atomic-file.js';
import { describeError, errorCode } from '../capture/fs-errors.js';
import {
  FILTER_ACTIONS,
  FILTER_COLOURS,
  MAX_FILTER_ID_CHARS,
  MAX_FILTER_PATTERN_CHARS,
  MAX_FILTERS_PER_PORT,
  type LineFilter,
  type PortFilters,
} from '../wire/api.js';
import { literals } from '../http/schema-helpers.js';

/** Name of a port's filter file, in its capture directory. */
export const FILTERS_FILE = 'filters.json';

/** One filter, as a request carries it and the file stores it (wire type: LineFilter). */
export const LineFilterSchema = Type.Object(
  {
    id: Type.String({ title: `1 to ${MAX_FILTER_ID_CHARS} letters, digits, '-' or '_'`, pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength: MAX_FILTER_ID_CHARS }),
    pattern: Type.String({
      title: `a regular expression's source of 1 to ${MAX_FILTER_PATTERN_CHARS} characters`,
      minLength: 1,
      maxLength: MAX_FILTER_PATTERN_CHARS,
      description: 'A JavaScript regular expression (without slashes), matched against each line\'s text in the page.',
      examples: ['ERROR|WARN'],
    }),
    flags: literals(['', 'i'] as const, { description: "'i': ignore case." }),
    action: literals(FILTER_ACTIONS, { description: 'hide: matching lines are hidden; only: only lines matching some `only` filter show; highlight: matching lines are coloured.' }),
    colour: literals(FILTER_COLOURS, { description: 'Colour of a highlight (kept, unused, by hide and only).' }),
    enabled: Type.Boolean({ description: 'A disabled filter is kept but not applied.' }),
  },
  { additionalProperties: false },
);

/** Body of PUT /api/ports/ID/filters (wire type: FiltersRequest). */
export const FiltersRequestSchema = Type.Object(
  { filters: Type.Array(LineFilterSchema, { maxItems: MAX_FILTERS_PER_PORT, description: `The whole list, replacing the old one; at most ${MAX_FILTERS_PER_PORT}.` }) },
  {
    additionalProperties: false,
    examples: [{ filters: [{ id: 'errors', pattern: 'error|fail', flags: 'i', action: 'highlight', colour: 'red', enabled: true }] }],
  },
);

/** A body that passed FiltersRequestSchema (defaults filled in). */
export type FiltersBody = Static<typeof FiltersRequestSchema>;

/** The rules a schema cannot say: ids unique, and every pattern compiles with its flags. Returns the first broken rule, or null. */
export function filterListProblem(filters: readonly LineFilter[]): string | null {
  const ids = new Set<string>();
  for (const [i, filter] of filters.entries()) {
    if (ids.has(filter.id)) return `filters/${i}/id ${JSON.stringify(filter.id)} is used twice`;
    ids.add(filter.id);
    const problem = patternProblem(filter.pattern, filter.flags);
    if (problem !== null) return `filters/${i}/pattern ${JSON.stringify(filter.pattern)} ${problem}`;
  }
  return null;
}

/**
 * Why `pattern` is not a usable regular expression, or null. Compiling is bounded by the pattern's
 * length (MAX_FILTER_PATTERN_CHARS) and never matches anything, so no pattern can stall the server.
 */
export function patternProblem(pattern: string, flags: string): string | null {
  if (pattern.length === 0) return 'is empty';
  if (pattern.length > MAX_FILTER_PATTERN_CHARS) return `is over ${MAX_FILTER_PATTERN_CHARS} characters`;
  try {
    new RegExp(pattern, flags);
    return null;
  } catch (err) {
    return `does not compile: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** The file's shape. */
interface FiltersFile {
  version: 1;
  updatedMs: number | null;
  filters: LineFilter[];
}

/** Where filters are kept, and how to log. */
export interface PortFilterStoreOptions {
  /** Directory of all captures (a port's filters are `<dataDir>/ports/<id>/filters.json`); null: memory only. */
  dataDir: string | null;
  log(line: string): void;
  now?: () => number;
}

/** Called with a port's new filters once a put has saved them. */
export type FiltersListener = (filters: PortFilters) => void;

/** Every port's filters: read from its file on first use, replaced whole by put(), which tells watch()ers. One per server. */
export class PortFilterStore {
  private readonly cache = new Map<string, Promise<PortFilters>>();
  /** Per port, the last write: puts are applied one at a time, in order. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per port, who is told of a change (the SSE streams of its viewers). */
  private readonly listeners = new Map<string, Set<FiltersListener>>();

  constructor(private readonly options: PortFilterStoreOptions) {}

  /** Whether filters outlive the server (there is a data directory). */
  get persisted(): boolean {
    return this.options.dataDir !== null;
  }

  /** Port `id`'s filters (an empty list if it has none). */
  get(id: string): Promise<PortFilters> {
    let cached = this.cache.get(id);
    if (!cached) {
      cached = this.load(id);
      this.cache.set(id, cached);
    }
    return cached;
  }

  /**
   * Calls `listener` with port `id`'s filters after each put that saves them, in the order the puts
   * were applied, before that put resolves (a failed put tells no one). Returns the unsubscribe.
   */
  watch(id: string, listener: FiltersListener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(id) === set) this.listeners.delete(id);
    };
  }

  /**
   * Replaces port `id`'s filters with `filters` (already checked: schema and filterListProblem),
   * written to disk before it resolves; rejects if the file cannot be written, the old list kept.
   * Watchers are told once it is saved.
   */
  put(id: string, filters: LineFilter[]): Promise<PortFilters> {
    const run = (this.queues.get(id) ?? Promise.resolve()).catch(() => undefined).then(async () => {
      await this.get(id);
      const next: PortFilters = { filters: filters.map((f) => ({ ...f })), persisted: this.persisted, updatedMs: (this.options.now ?? Date.now)() };
      const path = this.pathOf(id);
      if (path !== null) {
        const file: FiltersFile = { version: 1, updatedMs: next.updatedMs, filters: next.filters };
        await mkdir(join(path, '..'), { recursive: true });
        await writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n', true);
      }
      this.cache.set(id, Promise.resolve(next));
      this.tell(id, next);
      return next;
    });
    this.queues.set(id, run);
    return run;
  }

  /** Tells port `id`'s watchers; one that throws is logged and the rest still hear (the list is saved either way). */
  private tell(id: string, filters: PortFilters): void {
    for (const listener of [...(this.listeners.get(id) ?? [])]) {
      try {
        listener(filters);
      } catch (err) {
        this.options.log(`${id}: filters: a watcher failed: ${describeError(err)}`);
      }
    }
  }

  private pathOf(id: string): string | null {
    return this.options.dataDir === null ? null : join(this.options.dataDir, 'ports', id, FILTERS_FILE);
  }

  /** Reads the file; a missing one is an empty list; a broken one is set aside (renamed `.bad`, logged), so nothing is lost. */
  private async load(id: string): Promise<PortFilters> {
    const empty: PortFilters = { filters: [], persisted: this.persisted, updatedMs: null };
    const path = this.pathOf(id);
    if (path === null) return empty;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') this.options.log(`${id}: filters: cannot read ${path} (${describeError(err)}); starting with none`);
      return empty;
    }
    const problem = fileProblem(text);
    if (typeof problem === 'string') {
      this.options.log(`${id}: filters: ${path} ${problem}; kept as ${FILTERS_FILE}.bad, starting with none`);
      await rename(path, `${path}.bad`).catch(() => undefined);
      return empty;
    }
    return { filters: problem.filters, persisted: true, updatedMs: problem.updatedMs };
  }
}

/** The file's content, or what is wrong with it. */
function fileProblem(text: string): FiltersFile | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not JSON';
  }
  if (typeof value !== 'object' || value === null || (value as { version?: unknown }).version !== 1) return 'has no version 1';
  const { filters, updatedMs } = value as { filters?: unknown; updatedMs?: unknown };
  if (!Value.Check(FiltersRequestSchema, { filters })) return 'does not hold a valid filter list';
  const list = filters as LineFilter[];
  const problem = filterListProblem(list);
  if (problem !== null) return problem;
  return { version: 1, updatedMs: typeof updatedMs === 'number' ? updatedMs : null, filters: list };
}
