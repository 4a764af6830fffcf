// The view switcher and the data views' lifetimes: which of console, tiles and plot show (wide screens
// side by side, phones one at a time), and the tiles and plot activated for the shown port while they
// show, disposed when hidden or when the port changes (xterm.js addon style).
import { byId } from '../ui/dom.js';
import type { KeyValueStore } from '../ui/storage.js';
import type { Timers } from '../ui/timers.js';
import type { Disposable } from './disposables.js';
import { showParseCounts } from './parse-counts.js';
import { PlotView } from './plot-view.js';
import { createPortData, type ViewHost } from './port-data.js';
import { TilesView } from './tiles-view.js';
import { loadViewChoice, pressView, saveViewChoice, shownViews, VIEW_NAMES, type ViewChoice, type ViewName } from './view-layout.js';

/** Width from which views sit side by side, in CSS px: the toolbar's one-row breakpoint in styles.css. */
export const SIDE_BY_SIDE_MEDIA = '(min-width: 1100px)';

/** What the app tells the data views. */
export interface DataViews extends Disposable {
  /** Shows `id`'s data (null: no port yet). */
  setPort(id: string | null): void;
  /** The views shown now. */
  shown(): ViewName[];
}

/** Binds the switcher (#view-console, #view-tiles, #view-plot) and the panels in `doc`. */
export function bindDataViews(doc: Document, win: Window, store: KeyValueStore, timers: Timers): DataViews {
  const workspace = byId(doc, 'workspace', HTMLElement);
  const panels: Record<ViewName, HTMLElement> = {
    console: byId(doc, 'console', HTMLElement),
    tiles: byId(doc, 'tiles', HTMLElement),
    plot: byId(doc, 'plot', HTMLElement),
  };
  const side = byId(doc, 'data-panel', HTMLElement);
  const buttons = Object.fromEntries(VIEW_NAMES.map((v) => [v, byId(doc, `view-${v}`, HTMLButtonElement)])) as Record<ViewName, HTMLButtonElement>;
  const media = win.matchMedia(SIDE_BY_SIDE_MEDIA);
  const tiles = new TilesView(panels.tiles);
  const plot = new PlotView(panels.plot, store);
  const active: Record<'tiles' | 'plot', boolean> = { tiles: false, plot: false };
  // Above the tiles and plot, once for both: how many lines parsed as records, and how many stayed text.
  const counts = doc.createElement('p');
  counts.id = 'parse-counts';
  counts.className = 'parse-counts';
  counts.hidden = true;
  side.prepend(counts);
  let countsWatch: Disposable | null = null;

  let choice: ViewChoice = loadViewChoice(store);
  let portId: string | null = null;
  let host: (ViewHost & Disposable) | null = null;

  const hostFor = (id: string): ViewHost & Disposable =>
    createPortData({
      portId: id,
      pageHref: win.location.href,
      timers,
      fetch: (url) => win.fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } }),
      eventSource: (url) => new EventSource(url),
      download: (blob, name) => saveBlob(doc, timers, blob, name),
    });

  function apply(): void {
    const shown = shownViews(choice, media.matches);
    for (const v of VIEW_NAMES) {
      panels[v].hidden = !shown.has(v);
      buttons[v].setAttribute('aria-pressed', String(shown.has(v)));
    }
    side.hidden = !shown.has('tiles') && !shown.has('plot');
    workspace.dataset.views = VIEW_NAMES.filter((v) => shown.has(v)).join(' ');
    // Views run only while shown: a hidden plot costs no frames and no stream.
    if (host === null && portId !== null && (shown.has('tiles') || shown.has('plot'))) host = hostFor(portId);
    toggle('tiles', tiles, shown.has('tiles'));
    toggle('plot', plot, shown.has('plot'));
    if (host !== null && !active.tiles && !active.plot) {
      host.dispose();
      host = null;
    }
    if (host !== null && countsWatch === null) countsWatch = showParseCounts(counts, host);
    else if (host === null) stopCounts();
    counts.hidden = countsWatch === null;
  }

  function stopCounts(): void {
    countsWatch?.dispose();
    countsWatch = null;
  }

  function toggle(name: 'tiles' | 'plot', view: TilesView | PlotView, on: boolean): void {
    if (on && !active[name] && host !== null) {
      view.activate(host);
      active[name] = true;
    } else if (!on && active[name]) {
      view.dispose();
      active[name] = false;
    }
  }

  function stopAll(): void {
    stopCounts();
    tiles.dispose();
    plot.dispose();
    active.tiles = active.plot = false;
    host?.dispose();
    host = null;
  }

  const onPress = (v: ViewName) => (): void => {
    choice = pressView(choice, v, media.matches);
    saveViewChoice(store, choice);
    apply();
  };
  const handlers = VIEW_NAMES.map((v) => [v, onPress(v)] as const);
  for (const [v, handler] of handlers) buttons[v].addEventListener('click', handler);
  const onMedia = (): void => apply();
  media.addEventListener('change', onMedia);
  apply();

  return {
    setPort(id) {
      if (id === portId) return;
      stopAll();
      portId = id;
      apply();
    },
    shown: () => VIEW_NAMES.filter((v) => !panels[v].hidden),
    dispose() {
      for (const [v, handler] of handlers) buttons[v].removeEventListener('click', handler);
      media.removeEventListener('change', onMedia);
      stopAll();
      counts.remove();
    },
  };
}

/** Saves `blob` as `name` through a temporary link (the same way the console's "Save as text" does). */
function saveBlob(doc: Document, timers: Timers, blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = name;
  doc.body.append(link);
  link.click();
  link.remove();
  timers.setTimeout(() => URL.revokeObjectURL(url), 60_000); // after the browser has read it
}
