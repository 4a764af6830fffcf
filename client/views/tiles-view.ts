// The tiles (seed 000's dashboard): one card per numeric field with its value and unit, a sparkline,
// min and max over the window and a stale marker; string fields as status text. Activated for one
// port at a time, like an xterm.js addon: activate(host) opens what it needs, dispose() closes it all.
import type { RecordData } from '../../server/wire/api.js';
import { DisposableStore, toDisposable, type Disposable } from './disposables.js';
import type { ViewHost } from './port-data.js';
import { ServerClock } from './plot-data.js';
import { sparklinePath } from './sparkline.js';
import { TILE_BUCKETS, TileModel, type TileState } from './tile-model.js';
import { formatAge, formatValue } from './value-format.js';

/** How often ages and stale markers are re-checked without new data, in ms. */
const TICK_MS = 1_000;
/** Sparkline box in SVG user units (the SVG scales to the tile's width). */
const SPARK_W = 240;
const SPARK_H = 40;

const SVG_NS = 'http://www.w3.org/2000/svg';

interface TileElements {
  root: HTMLElement;
  value: HTMLElement;
  unit: HTMLElement;
  path: SVGPathElement | null;
  range: HTMLElement | null;
  age: HTMLElement;
}

/** The tiles view over `container` (its children are its own while active). */
export class TilesView implements Disposable {
  private store: DisposableStore | null = null;
  private model: TileModel | null = null;
  private readonly tiles = new Map<string, TileElements>();
  private dirty = new Set<string>();
  private frame: number | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly doc: Document = container.ownerDocument,
  ) {}

  /** Shows `host`'s port: fills from latest and series, then follows its records. */
  activate(host: ViewHost): void {
    this.dispose();
    const store = (this.store = new DisposableStore());
    const model = (this.model = new TileModel());
    // Ages and staleness on the server's clock, which stamped the readings (the page's may be off).
    const clock = new ServerClock();
    this.nowFn = () => clock.now(host.timers.now());
    this.container.replaceChildren(this.emptyNote('Waiting for readings…'));
    this.container.dataset.port = host.portId;
    store.add(toDisposable(() => this.container.replaceChildren()));

    let filled = false;
    const pending: RecordData[] = [];
    store.add(
      host.onRecord((record) => {
        clock.note(record.timeMs, host.timers.now());
        if (!filled) return void pending.push(record);
        for (const name of model.addRecord(record)) this.dirty.add(name);
        this.schedule();
      }),
    );
    void (async () => {
      await host.whenOpen();
      if (store.disposed) return;
      const asked = host.timers.now();
      const now = clock.now(asked);
      const [latest, series] = await Promise.all([
        host.fetchLatest().catch(() => null),
        host.fetchSeries({ fromMs: now - model.windowMs, points: TILE_BUCKETS * 2 }).catch(() => null),
      ]);
      if (store.disposed) return;
      if (latest) model.addLatest(latest.fields);
      if (series) {
        clock.note(series.to, (asked + host.timers.now()) / 2); // `to` is the server's now when it answered
        model.addSeries(series.series);
      }
      filled = true;
      for (const record of pending.splice(0)) model.addRecord(record);
      for (const name of model.names()) this.dirty.add(name);
      this.schedule();
    })();

    // Ages and stale markers move on without data: redraw them on a slow tick.
    let tick: unknown = null;
    const loop = (): void => {
      tick = host.timers.setTimeout(loop, TICK_MS);
      for (const name of this.tiles.keys()) this.dirty.add(name);
      this.schedule();
    };
    loop();
    store.add(toDisposable(() => host.timers.clearTimeout(tick)));
    store.add(
      toDisposable(() => {
        if (this.frame !== null) this.doc.defaultView?.cancelAnimationFrame(this.frame);
        this.frame = null;
      }),
    );
  }

  dispose(): void {
    this.store?.dispose();
    this.store = null;
    this.model = null;
    this.tiles.clear();
    this.dirty.clear();
  }

  private nowFn: () => number = () => Date.now();

  /** Draws the dirty tiles on the next animation frame (many records in one frame draw once). */
  private schedule(): void {
    if (this.frame !== null) return;
    const win = this.doc.defaultView;
    if (!win) return this.draw();
    this.frame = win.requestAnimationFrame(() => {
      this.frame = null;
      this.draw();
    });
  }

  private draw(): void {
    const model = this.model;
    if (!model) return;
    const now = this.nowFn();
    const names = model.names();
    if (names.length > 0 && this.tiles.size === 0) this.container.replaceChildren();
    for (const name of this.dirty) {
      const state = model.tile(name, now);
      if (!state) continue;
      let el = this.tiles.get(name);
      if (!el || (el.path === null) !== (state.kind === 'text')) {
        const next = this.createTile(state);
        if (el) el.root.replaceWith(next.root);
        el = next;
        this.tiles.set(name, el);
      }
      this.fill(el, state, model, now);
    }
    this.dirty.clear();
    // Keep the DOM in the model's order (numbers first, then status text).
    const order = names.map((n) => this.tiles.get(n)?.root).filter((e): e is HTMLElement => e !== undefined);
    if (order.some((e, i) => this.container.children[i] !== e)) this.container.replaceChildren(...order);
  }

  private createTile(state: TileState): TileElements {
    const d = this.doc;
    const root = d.createElement('article');
    root.className = 'tile';
    root.dataset.field = state.name;
    root.dataset.kind = state.kind;
    const head = d.createElement('header');
    head.className = 'tile-head';
    const name = d.createElement('h3');
    name.className = 'tile-name';
    name.textContent = state.name;
    name.title = state.name;
    const age = d.createElement('span');
    age.className = 'tile-age';
    head.append(name, age);
    const reading = d.createElement('p');
    reading.className = 'tile-reading';
    const value = d.createElement('span');
    value.className = 'tile-value';
    const unit = d.createElement('span');
    unit.className = 'tile-unit';
    reading.append(value, unit);
    root.append(head, reading);
    let path: SVGPathElement | null = null;
    let range: HTMLElement | null = null;
    if (state.kind === 'number') {
      const svg = d.createElementNS(SVG_NS, 'svg');
      svg.setAttribute('class', 'tile-spark');
      svg.setAttribute('viewBox', `0 0 ${SPARK_W} ${SPARK_H}`);
      svg.setAttribute('preserveAspectRatio', 'none');
      svg.setAttribute('aria-hidden', 'true');
      path = d.createElementNS(SVG_NS, 'path');
      path.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.append(path);
      range = d.createElement('p');
      range.className = 'tile-range';
      root.append(svg, range);
    }
    return { root, value, unit, path, range, age };
  }

  private fill(el: TileElements, state: TileState, model: TileModel, now: number): void {
    const text = typeof state.value === 'number' ? formatValue(state.value) : String(state.value);
    if (el.value.textContent !== text) el.value.textContent = text;
    el.unit.textContent = state.unit ?? '';
    el.root.dataset.time = String(state.timeMs);
    el.root.toggleAttribute('data-stale', state.stale);
    const age = formatAge(Math.max(0, now - state.timeMs));
    el.age.textContent = state.stale ? `stale · ${age}` : age === 'now' ? '' : age;
    el.age.title = state.intervalMs === null ? '' : `usually every ${formatAge(state.intervalMs) === 'now' ? `${Math.round(state.intervalMs)} ms` : formatAge(state.intervalMs)}`;
    if (el.path) {
      // From the oldest point held (a page opened a minute ago draws its minute across the tile), up to now.
      const trend = model.trend(state.name, now);
      const from = Math.max(now - model.windowMs, Math.min(trend[0]?.minTimeMs ?? now, trend[0]?.maxTimeMs ?? now));
      el.path.setAttribute('d', sparklinePath(trend, from, now, SPARK_W, SPARK_H));
    }
    if (el.range) {
      el.range.textContent =
        state.min === undefined || state.max === undefined ? '' : `min ${formatValue(state.min)} · max ${formatValue(state.max)}`;
    }
  }

  private emptyNote(text: string): HTMLElement {
    const note = this.doc.createElement('p');
    note.className = 'view-empty';
    note.textContent = text;
    return note;
  }
}
