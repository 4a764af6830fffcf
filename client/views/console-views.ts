// The console's views over the same bytes: Raw (xterm, the bytes exactly), Lines (the server's
// lines with times and filters) and Hex (offset | hex | ASCII). The choice is the #console-view
// select; Lines and Hex are addons activated while chosen and disposed when not, or when the port
// changes. The hex window is fed all the time, from the WebSocket bytes the console gets, so it is
// full the moment Hex is chosen.
import type { KeyValueStore } from '../ui/storage.js';
import type { Timers } from '../ui/timers.js';
import { byId } from '../ui/dom.js';
import { ByteWindow } from './byte-window.js';
import type { Disposable } from './disposables.js';
import { filtersApi } from './filters-api.js';
import { HexView } from './hex-view.js';
import { LinesView } from './lines-view.js';

/** The console's views. */
export const CONSOLE_VIEWS = ['raw', 'lines', 'hex'] as const;
/** One of them. */
export type ConsoleView = (typeof CONSOLE_VIEWS)[number];

const STORAGE_KEY = 'serialdeck.consoleView';

/** What the app tells the console views. */
export interface ConsoleViews extends Disposable {
  /** Bytes the page received, starting at stream offset `offset` (before the console's tracker counts them). */
  bytes(offset: number, bytes: Uint8Array): void;
  /** The port shown changed (null: none yet), or its stream restarted: views start again. */
  setPort(id: string | null): void;
  /** The view chosen. */
  current(): ConsoleView;
  /** The page's "writes inline" setting changed: the Lines view shows writes among the lines, or not. */
  setShowWrites(on: boolean): void;
}

/** Binds #console-view, #console-lines and #console-hex in `doc`; `showWrites` is the page's "writes inline" setting as it starts. */
export function bindConsoleViews(doc: Document, win: Window, store: KeyValueStore, timers: Timers, consoleOffset: () => number, showWrites = false): ConsoleViews {
  const select = byId(doc, 'console-view', HTMLSelectElement);
  const linesHost = byId(doc, 'console-lines', HTMLElement);
  const hexHost = byId(doc, 'console-hex', HTMLElement);
  const window = new ByteWindow();
  const hex = new HexView(hexHost, window, timers);
  let lines: LinesView | null = null;
  let portId: string | null = null;
  const saved = store.getItem(STORAGE_KEY);
  let view: ConsoleView = (CONSOLE_VIEWS as readonly string[]).includes(saved ?? '') ? (saved as ConsoleView) : 'raw';

  function apply(): void {
    select.value = view;
    linesHost.hidden = view !== 'lines';
    hexHost.hidden = view !== 'hex';
    if (view === 'hex') hex.activate();
    else hex.dispose();
    if (view === 'lines' && portId !== null) {
      if (lines === null) {
        lines = new LinesView(linesHost, {
          portId,
          pageHref: win.location.href,
          timers,
          eventSource: (url) => new EventSource(url),
          filters: filtersApi(portId, win.location.href, (url, init) => win.fetch(url, init)),
          consoleOffset,
          showWrites,
        });
        lines.activate();
      }
    } else {
      lines?.dispose();
      lines = null;
    }
  }

  const onChange = (): void => {
    view = select.value as ConsoleView;
    store.setItem(STORAGE_KEY, view);
    apply();
  };
  select.addEventListener('change', onChange);
  apply();

  return {
    bytes(offset, bytes) {
      window.push(offset, bytes);
      hex.changed();
    },
    setPort(id) {
      if (id === portId) return;
      portId = id;
      window.clear();
      lines?.dispose();
      lines = null;
      hex.dispose();
      apply();
    },
    current: () => view,
    setShowWrites(on) {
      showWrites = on;
      lines?.setShowWrites(on);
    },
    dispose() {
      select.removeEventListener('change', onChange);
      lines?.dispose();
      hex.dispose();
    },
  };
}
