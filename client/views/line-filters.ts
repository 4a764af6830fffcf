// A port's console filters applied to line text, in the page: `hide` hides a matching line, `only`
// shows only lines matching some `only` filter, `highlight` colours a matching line (the first
// matching highlight wins). A hide wins over an only. Filters never change the lines, only which
// show and how; the view counts what is hidden so nothing vanishes silently. Pure.
import type { FilterColour, LineFilter } from '../../server/wire/api.js';

/** A filter ready to run. */
interface Matcher {
  filter: LineFilter;
  regex: RegExp;
}

/** What the filters make of one line. */
export interface LineVerdict {
  shown: boolean;
  /** The highlight colour, or null. */
  colour: FilterColour | null;
}

/** Enabled filters, compiled. `problems` names any that do not compile here (the server refuses those, so only an older list could). */
export class CompiledFilters {
  private readonly hides: Matcher[] = [];
  private readonly onlys: Matcher[] = [];
  private readonly highlights: Matcher[] = [];
  readonly problems: string[] = [];

  constructor(filters: readonly LineFilter[]) {
    for (const filter of filters) {
      if (!filter.enabled) continue;
      let regex: RegExp;
      try {
        regex = new RegExp(filter.pattern, filter.flags);
      } catch (err) {
        this.problems.push(`${filter.id}: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      const list = filter.action === 'hide' ? this.hides : filter.action === 'only' ? this.onlys : this.highlights;
      list.push({ filter, regex });
    }
  }

  /** Whether any filter can hide a line. */
  get hidesAny(): boolean {
    return this.hides.length > 0 || this.onlys.length > 0;
  }

  /** The verdict on one line's text. */
  apply(text: string): LineVerdict {
    const shown = !this.hides.some((m) => m.regex.test(text)) && (this.onlys.length === 0 || this.onlys.some((m) => m.regex.test(text)));
    const colour = shown ? (this.highlights.find((m) => m.regex.test(text))?.filter.colour ?? null) : null;
    return { shown, colour };
  }
}

/** How many of `texts` the filters hide. */
export function countHidden(filters: CompiledFilters, texts: Iterable<string>): number {
  let hidden = 0;
  for (const text of texts) if (!filters.apply(text).shown) hidden += 1;
  return hidden;
}

/** The hidden-lines notice: null when nothing is hidden. */
export function hiddenNotice(hidden: number, total: number): string | null {
  if (hidden === 0) return null;
  return `${hidden} of ${total} line${total === 1 ? '' : 's'} hidden by filters (the capture, the raw console and downloads keep them)`;
}

/** A new filter id not in `taken`: f1, f2, … */
export function nextFilterId(taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) if (!used.has(`f${n}`)) return `f${n}`;
}
