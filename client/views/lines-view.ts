// The console's Lines view (an addon: activate/dispose): the port's lines as the server framed them,
// one row each with a time column (the server's arrival time, or the delta from the previous line)
// and the port's filters applied: hidden lines are counted, highlighted ones coloured. It reads its
// own SSE stream of `line` events (from a little before what the console shows, so it opens with
// context) and `filters` events on the same stream: the port's filters as they stand when the stream
// (re)opens, then each change anyone saves, so every viewer sees it at once and a stream that dropped
// catches up on reconnect. Saving is a PUT /api/ports/ID/filters. With the page's "writes inline"
// setting on, the port's writes (`write` events, anyone's) show among the lines as `alice> G28` rows
// in their own colour; filters leave them alone. Nothing here touches the capture, the byte stream
// or the raw console.
import { apiPaths, type GapData, type LineData, type PortFilters, type WriteNote } from '../../server/wire/api.js';
import type { Timers, TimerHandle } from '../ui/timers.js';
import { DisposableStore, toDisposable, type Disposable } from './disposables.js';
import { FilterPanel } from './filter-panel.js';
import type { FiltersApi } from './filters-api.js';
import { CompiledFilters, hiddenNotice } from './line-filters.js';
import { LineList, mergeRows, timeColumn, WriteList, writeTimeColumn, type TimeStyle } from './line-rows.js';
import type { EventSourceFactory, EventSourceLike } from './port-data.js';

/** Longest wait between new lines and a redraw, in ms: 100 ms reads as live and batches fast output. */
const REDRAW_MS = 100;
/** How far before the console's offset the stream starts, in bytes: 64 KiB of context, read from the capture. */
export const LINES_BACKFILL_BYTES = 64 * 1024;
/** Wait before reopening a stream the browser gave up on, in ms: long enough not to hammer a busy server. */
const REOPEN_MS = 2_000;
/** EventSource.CLOSED: the browser will not reconnect by itself. */
const EVENT_SOURCE_CLOSED = 2;
/** Most rows drawn, the newest: the DOM stays small; the list and the counts cover every line held. */
const MAX_DRAWN_ROWS = 2000;

/** What the view needs from the page. */
export interface LinesViewDeps {
  portId: string;
  pageHref: string;
  timers: Timers;
  eventSource: EventSourceFactory;
  filters: FiltersApi;
  /** The console's stream offset now (the stream starts LINES_BACKFILL_BYTES before it). */
  consoleOffset(): number;
  /** The page's "writes inline" setting as the view opens (setShowWrites follows it). */
  showWrites: boolean;
}

/** The Lines view, drawn into `host`. */
export class LinesView implements Disposable {
  private store: DisposableStore | null = null;
  private readonly lines = new LineList();
  private readonly writes = new WriteList();
  private showWrites: boolean;
  private compiled = new CompiledFilters([]);
  private timeStyle: TimeStyle = 'clock';
  private timer: TimerHandle | null = null;
  private rowsHost: HTMLElement | null = null;
  private notice: HTMLElement | null = null;
  private panel: FilterPanel | null = null;
  private gaps = 0;
  /** The filters in use (null: none heard yet): a list saved before them, arriving late, is not applied. */
  private filtersNow: PortFilters | null = null;

  constructor(private readonly host: HTMLElement, private readonly deps: LinesViewDeps) {
    this.showWrites = deps.showWrites;
  }

  /** Shows the port's writes among the lines, or not (the page's "writes inline" setting); those already held show at once. */
  setShowWrites(on: boolean): void {
    if (on === this.showWrites) return;
    this.showWrites = on;
    this.draw();
  }

  activate(): void {
    if (this.store) return;
    const store = (this.store = new DisposableStore());
    const doc = this.host.ownerDocument;
    const bar = doc.createElement('div');
    bar.className = 'lines-bar';
    const timeButton = doc.createElement('button');
    timeButton.type = 'button';
    timeButton.className = 'btn lines-time-toggle';
    const filtersButton = doc.createElement('button');
    filtersButton.type = 'button';
    filtersButton.className = 'btn lines-filters-toggle';
    filtersButton.setAttribute('aria-expanded', 'false');
    filtersButton.textContent = 'Filters';
    this.notice = doc.createElement('span');
    this.notice.className = 'lines-hidden';
    this.notice.setAttribute('role', 'status');
    bar.append(timeButton, filtersButton, this.notice);
    const panelHost = doc.createElement('div');
    panelHost.className = 'filter-panel';
    panelHost.hidden = true;
    this.rowsHost = doc.createElement('div');
    this.rowsHost.className = 'line-rows';
    this.rowsHost.tabIndex = 0;
    this.rowsHost.setAttribute('aria-label', 'Lines with their arrival times');
    this.host.replaceChildren(bar, panelHost, this.rowsHost);

    const showTimeStyle = (): void => {
      timeButton.textContent = this.timeStyle === 'clock' ? 'Time: clock' : 'Time: +delta';
      timeButton.title = this.timeStyle === 'clock' ? "Server arrival time (switch to the delta from the previous line)" : 'Delta from the previous line (switch to server time)';
    };
    showTimeStyle();
    store.listen(timeButton, 'click', () => {
      this.timeStyle = this.timeStyle === 'clock' ? 'delta' : 'clock';
      showTimeStyle();
      this.draw();
    });
    store.listen(filtersButton, 'click', () => {
      panelHost.hidden = !panelHost.hidden;
      filtersButton.setAttribute('aria-expanded', String(!panelHost.hidden));
    });

    this.panel = store.add(
      new FilterPanel(panelHost, {
        save: async (filters) => {
          const saved = await this.deps.filters.save(filters);
          this.useFilters(saved, true);
          this.panel?.setStatus(saved.persisted ? 'Saved on the server for this port.' : 'Saved in the server\'s memory only: it runs without a data directory (--no-capture).', 'ok');
        },
      }),
    );
    store.add(toDisposable(() => (this.panel = null)));

    this.lines.clear();
    this.writes.clear();
    this.gaps = 0;
    this.filtersNow = null;
    const from = Math.max(0, this.deps.consoleOffset() - LINES_BACKFILL_BYTES);
    let reopen: TimerHandle | null = null;
    const open = (lastEventId: string): EventSourceLike => {
      // Writes are always taken (there are few), so switching them on shows those already made.
      const params = new URLSearchParams({ types: 'line,gap,filters,write', lastEventId });
      const source = this.deps.eventSource(new URL(`.${apiPaths.events(this.deps.portId)}?${params}`, this.deps.pageHref).href);
      let last = lastEventId;
      source.addEventListener('line', (event) => {
        if (event.lastEventId) last = event.lastEventId;
        this.lines.add(JSON.parse(event.data) as LineData);
        this.changed();
      });
      source.addEventListener('gap', (event) => {
        if (event.lastEventId) last = event.lastEventId;
        const gap = JSON.parse(event.data) as GapData;
        this.gaps += gap.to - gap.from;
        this.changed();
      });
      // No id: filters and write events leave the resume point where the lines left it.
      source.addEventListener('filters', (event) => this.useFilters(JSON.parse(event.data) as PortFilters, false));
      source.addEventListener('write', (event) => {
        // A resumed stream replays recent writes: the list keeps each once.
        if (this.writes.add(JSON.parse(event.data) as WriteNote) && this.showWrites) this.changed();
      });
      // The browser retries a dropped stream by itself; one refused outright (an HTTP error while the
      // server was busy or restarting) stays closed, so it is reopened where it left off.
      source.addEventListener('error', () => {
        if (source.readyState !== EVENT_SOURCE_CLOSED || reopen !== null || this.store !== store) return;
        reopen = this.deps.timers.setTimeout(() => {
          reopen = null;
          if (this.store === store) current = open(last);
        }, REOPEN_MS);
      });
      return source;
    };
    let current = open(String(from));
    store.add(
      toDisposable(() => {
        current.close();
        if (reopen !== null) this.deps.timers.clearTimeout(reopen);
      }),
    );
    store.add(toDisposable(() => {
      if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
      this.timer = null;
      this.host.replaceChildren();
      this.rowsHost = this.notice = null;
    }));
    this.draw();
  }

  /** Applies the port's filters (from the stream, or a save's answer, which `force`s them into the panel over a draft). */
  private useFilters(filters: PortFilters, force: boolean): void {
    // The stream and a save's answer can cross: a list saved before the one in use is stale. A save
    // overtaken by someone else's still ends the draft, with the newer list shown in its place.
    const now = this.filtersNow;
    if (now !== null && now.updatedMs !== null && (filters.updatedMs === null || filters.updatedMs < now.updatedMs)) {
      if (force) this.panel?.show(now.filters, true);
      return;
    }
    this.filtersNow = filters;
    this.compiled = new CompiledFilters(filters.filters);
    this.panel?.show(filters.filters, force);
    if (!filters.persisted && !this.panel?.dirty) this.panel?.setStatus('The server runs without a data directory: filters are kept in its memory only.', 'info');
    this.draw();
  }

  private changed(): void {
    if (!this.store || this.timer !== null) return;
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null;
      this.draw();
    }, REDRAW_MS);
  }

  private draw(): void {
    const rowsHost = this.rowsHost;
    if (!rowsHost || !this.notice) return;
    const doc = rowsHost.ownerDocument;
    const all = this.lines.lines();
    if (this.lines.dropped > 0 && all.length > 0) this.writes.dropBefore(all[0]!.offset);
    const merged = mergeRows(all, this.showWrites ? this.writes.writes() : []);
    const follow = rowsHost.scrollTop + rowsHost.clientHeight >= rowsHost.scrollHeight - 4;
    const rows: HTMLElement[] = [];
    let hidden = 0;
    for (let i = 0; i < merged.length; i++) {
      const entry = merged[i]!;
      const drawn = merged.length - i <= MAX_DRAWN_ROWS;
      if (entry.kind === 'write') {
        if (drawn) rows.push(writeRow(doc, entry.note, writeTimeColumn(entry.note, entry.previous, this.timeStyle)));
        continue;
      }
      const line = entry.line;
      const verdict = this.compiled.apply(line.text);
      if (!verdict.shown) {
        hidden += 1;
        continue;
      }
      if (!drawn) continue;
      const row = doc.createElement('div');
      row.className = 'line-row';
      row.dataset.offset = String(line.offset);
      if (line.partial) row.dataset.partial = 'true';
      if (verdict.colour !== null) row.dataset.colour = verdict.colour;
      const time = doc.createElement('span');
      time.className = 'line-time';
      time.textContent = timeColumn(line, entry.previous, this.timeStyle);
      time.title = new Date(line.timeMs).toISOString();
      const text = doc.createElement('span');
      text.className = 'line-text';
      text.textContent = line.text;
      row.append(time, text);
      rows.push(row);
    }
    rowsHost.replaceChildren(...rows);
    const notes = [hiddenNotice(hidden, all.length)];
    if (this.gaps > 0) notes.push(`${this.gaps} bytes before these lines are no longer kept`);
    if (this.lines.dropped > 0) notes.push(`${this.lines.dropped} older lines dropped from this view`);
    this.notice.textContent = notes.filter((n) => n !== null).join(' · ');
    this.notice.dataset.hidden = String(hidden);
    if (follow) rowsHost.scrollTop = rowsHost.scrollHeight;
  }

  dispose(): void {
    this.store?.dispose();
    this.store = null;
  }
}

/** A write's row: its time, then `name> text` in the writes' colour, its way in as a tooltip. */
function writeRow(doc: Document, note: WriteNote, timeText: string): HTMLElement {
  const row = doc.createElement('div');
  row.className = 'line-row write-row';
  row.dataset.write = 'true';
  row.dataset.offset = String(note.offset);
  row.title = `Written by ${note.name} (${note.source})`;
  const time = doc.createElement('span');
  time.className = 'line-time';
  time.textContent = timeText;
  time.title = new Date(note.timeMs).toISOString();
  const text = doc.createElement('span');
  text.className = 'line-text';
  const author = doc.createElement('span');
  author.className = 'write-author';
  author.textContent = `${note.name}> `;
  text.append(author, note.text);
  row.append(time, text);
  return row;
}
