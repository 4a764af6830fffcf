// The console: an xterm.js terminal with fit, search and web-links, rendering raw serial bytes.
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import { localEchoText, noticeText, wroteText } from './notices.js';
import { bufferText } from './screen-text.js';
import { consoleTheme } from './terminal-theme.js';

/** Lines of scrollback kept in the page: hours of a chatty board, a few MB of memory. */
export const SCROLLBACK_LINES = 10_000;
/** Search stops highlighting beyond this many matches: decorating more costs more than it helps. */
const SEARCH_HIGHLIGHT_LIMIT = 2000;
/** Font size in CSS px on wide screens and on phones (narrower than PHONE_MAX_WIDTH_PX). */
const FONT_SIZE_PX = 14;
const PHONE_FONT_SIZE_PX = 12;
const PHONE_MAX_WIDTH_PX = 600;
const FONT_FAMILY =
  "'JetBrains Mono', 'Cascadia Mono', 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', ui-monospace, monospace";
const LF = 0x0a;
/** RIS (ESC c): xterm.js's full reset, screen and scrollback included. */
const FULL_RESET = '\x1bc';

/** The console as the app uses it. Writes are queued in order; `done` callbacks fire once rendered. */
export interface ConsoleView {
  readonly terminal: Terminal;
  readonly search: SearchAddon;
  /** Writes raw device bytes; xterm decodes UTF-8 across chunk boundaries itself. */
  writeBytes(bytes: Uint8Array, done: () => void): void;
  /** Writes a serialdeck notice on its own line (dim yellow). */
  writeNotice(message: string, done?: () => void): void;
  /** Writes a locally echoed input line. */
  writeLocalEcho(line: string): void;
  /** Writes someone's write to the device inline (`alice> G28`), on its own line. */
  writeWrote(name: string, text: string): void;
  /** Empties the scrollback and screen, keeping the line the cursor is on (a prompt stays visible). */
  clear(): void;
  /**
   * Empties everything and forgets any mode the device set (colours, charset), in order with the writes
   * queued before it: for another port's output, which must not mix with this one's.
   */
  reset(): void;
  /** All text in the console, one device line per line (see bufferText). */
  readScreen(): string;
  /** Raw mode shows a blinking block cursor; line mode a quiet one, since typing happens in the input. */
  setRawMode(raw: boolean): void;
  /** Switches between the dark and the light palette. */
  setLightTheme(light: boolean): void;
  /** Font size in CSS px; null: the default for this screen (smaller on phones). Refits the rows and columns. */
  setFontSize(px: number | null): void;
  /** xterm's screen-reader mode (an accessible mirror of the output). */
  setScreenReader(on: boolean): void;
  /** True when the view is scrolled up from the newest output. */
  isScrolledUp(): boolean;
  /** Scrolls to the newest output. */
  scrollToLive(): void;
  /**
   * Calls `listener(scrolledUp, newOutput)` when the view leaves or returns to the newest output, and when
   * output arrives while it is away (`newOutput`: something arrived since it left). Returns an unsubscribe.
   */
  onLiveChange(listener: (scrolledUp: boolean, newOutput: boolean) => void): () => void;
  dispose(): void;
}

/** Creates the console inside `container` and keeps it fitted to the container's size. */
export function createConsole(container: HTMLElement, view: Window): ConsoleView {
  const phone = view.innerWidth < PHONE_MAX_WIDTH_PX;
  const defaultFontSize = phone ? PHONE_FONT_SIZE_PX : FONT_SIZE_PX;
  const terminal = new Terminal({
    scrollback: SCROLLBACK_LINES,
    fontFamily: FONT_FAMILY,
    fontSize: defaultFontSize,
    lineHeight: 1.2,
    theme: { ...consoleTheme(false) },
    // The search addon highlights matches with decorations, which xterm still calls a proposed API.
    allowProposedApi: true,
    cursorStyle: 'block',
    cursorInactiveStyle: 'outline',
    drawBoldTextInBrightColors: true,
    rightClickSelectsWord: true,
    overviewRuler: { width: 10 },
  });
  const fit = new FitAddon();
  const search = new SearchAddon({ highlightLimit: SEARCH_HIGHLIGHT_LIMIT });
  terminal.loadAddon(fit);
  terminal.loadAddon(search);
  terminal.loadAddon(new WebLinksAddon());
  terminal.open(container);
  terminal.textarea?.setAttribute('aria-label', 'Serial console');
  skipIdleSelectionRedraws(terminal);

  // Refit when the container changes size (window resize, toolbar wrapping, phone rotation), once per frame.
  let frame = 0;
  const refit = (): void => {
    if (frame) return;
    frame = view.requestAnimationFrame(() => {
      frame = 0;
      if (container.clientWidth > 0 && container.clientHeight > 0) fit.fit();
    });
  };
  const observer = new ResizeObserver(refit);
  observer.observe(container);
  view.addEventListener('resize', refit);
  fit.fit();

  // Whether the cursor sits at column 0 after everything written so far, so notices need no blank line.
  let atLineStart = true;

  // "New output below": whether the view is scrolled up, and whether output arrived since it left the bottom.
  const scrolledUp = (): boolean => terminal.buffer.active.viewportY < terminal.buffer.active.baseY;
  const liveListeners = new Set<(up: boolean, fresh: boolean) => void>();
  let wasUp = false;
  let newOutput = false;
  const checkLive = (wrote: boolean): void => {
    const up = scrolledUp();
    const fresh = up && (newOutput || (wrote && wasUp));
    if (up === wasUp && fresh === newOutput) return;
    wasUp = up;
    newOutput = fresh;
    for (const listener of liveListeners) listener(up, fresh);
  };
  terminal.onRender(() => checkLive(false));
  terminal.onScroll(() => checkLive(false));
  terminal.onWriteParsed(() => checkLive(true));

  return {
    terminal,
    search,
    writeBytes(bytes, done) {
      if (bytes.length > 0) atLineStart = bytes[bytes.length - 1] === LF;
      terminal.write(bytes, done);
    },
    writeNotice(message, done) {
      terminal.write(noticeText(message, atLineStart), done);
      atLineStart = true;
    },
    writeLocalEcho(line) {
      terminal.write(localEchoText(line));
      atLineStart = true;
    },
    writeWrote(name, text) {
      terminal.write(wroteText(name, text, atLineStart));
      atLineStart = true;
    },
    clear() {
      terminal.clear();
    },
    reset() {
      // RIS through the write queue, not terminal.reset(): bytes still queued from the old port land before it.
      terminal.write(FULL_RESET);
      atLineStart = true;
    },
    readScreen() {
      return bufferText(terminal.buffer.active);
    },
    setRawMode(raw) {
      terminal.options.cursorBlink = raw;
      terminal.options.cursorStyle = raw ? 'block' : 'underline';
    },
    setLightTheme(light) {
      terminal.options.theme = { ...consoleTheme(light) };
    },
    setFontSize(px) {
      const size = px ?? defaultFontSize;
      if (terminal.options.fontSize === size) return;
      terminal.options.fontSize = size;
      if (container.clientWidth > 0 && container.clientHeight > 0) fit.fit();
    },
    setScreenReader(on) {
      terminal.options.screenReaderMode = on;
    },
    isScrolledUp: scrolledUp,
    scrollToLive() {
      terminal.scrollToBottom();
      checkLive(false);
    },
    onLiveChange(listener) {
      liveListeners.add(listener);
      return () => liveListeners.delete(listener);
    },
    dispose() {
      observer.disconnect();
      view.removeEventListener('resize', refit);
      if (frame) view.cancelAnimationFrame(frame);
      terminal.dispose();
    },
  };
}

/** xterm.js's render service as far as skipIdleSelectionRedraws touches it (a private member). */
interface SelectionRedrawTarget {
  handleSelectionChanged(start: [number, number] | undefined, end: [number, number] | undefined, columnSelectMode: boolean): void;
}

/**
 * Stops xterm.js from redrawing every row when the selection "changes" from none to none. xterm 6
 * asks for that after every scroll, so with output arriving the DOM renderer draws all rows twice a
 * frame, and draws them even while the console is hidden (its pause skips only ordinary refreshes):
 * hidden (display: none) every glyph measures 0 px wide and is measured again, a third of the page's
 * time with the plot alone at 1,000 lines/s (docs/benchmarks.md, issue 11; xterm.js issue #4633).
 * A real selection, made or cleared, still redraws. Does nothing if xterm's internals differ.
 */
function skipIdleSelectionRedraws(terminal: Terminal): void {
  const core = (terminal as unknown as { _core?: { _renderService?: Partial<SelectionRedrawTarget> } })._core;
  const service = core?._renderService;
  const original = service?.handleSelectionChanged;
  if (!service || typeof original !== 'function') return;
  let hadSelection = false;
  service.handleSelectionChanged = (start, end, columnSelectMode) => {
    const has = start !== undefined || end !== undefined;
    if (!has && !hadSelection) return;
    hadSelection = has;
    original.call(service, start, end, columnSelectMode);
  };
}

