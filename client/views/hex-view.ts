// The console's Hex view (an addon: activate/dispose): the newest bytes the page received, as
// offset | hex | ASCII rows, offsets being stream offsets. It reads the ByteWindow the app feeds
// from the WebSocket, redrawn at most every REDRAW_MS while shown; the raw console is untouched.
import type { Timers, TimerHandle } from '../ui/timers.js';
import type { ByteWindow } from './byte-window.js';
import { DisposableStore, toDisposable, type Disposable } from './disposables.js';
import { formatHexOffset, hexRows } from './hex-format.js';

/** Longest wait between new bytes and a redraw, in ms: 150 ms reads as live without redrawing 4096 rows per chunk. */
const REDRAW_MS = 150;

/** The hex view over `window`, drawn into `host`. */
export class HexView implements Disposable {
  private store: DisposableStore | null = null;
  private timer: TimerHandle | null = null;
  private pre: HTMLPreElement | null = null;
  private summary: HTMLElement | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly window: ByteWindow,
    private readonly timers: Timers,
  ) {}

  activate(): void {
    if (this.store) return;
    const store = (this.store = new DisposableStore());
    const doc = this.host.ownerDocument;
    this.summary = doc.createElement('p');
    this.summary.className = 'hex-summary';
    this.pre = doc.createElement('pre');
    this.pre.className = 'hex-rows';
    this.pre.tabIndex = 0;
    this.pre.setAttribute('aria-label', 'Received bytes in hex');
    this.host.replaceChildren(this.summary, this.pre);
    store.add(toDisposable(() => {
      if (this.timer !== null) this.timers.clearTimeout(this.timer);
      this.timer = null;
      this.host.replaceChildren();
      this.pre = this.summary = null;
    }));
    this.draw();
  }

  /** New bytes reached the window: redraw soon. */
  changed(): void {
    if (!this.store || this.timer !== null) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.draw();
    }, REDRAW_MS);
  }

  private draw(): void {
    if (!this.pre || !this.summary) return;
    const bytes = this.window.bytes();
    const follow = this.pre.scrollTop + this.pre.clientHeight >= this.pre.scrollHeight - 4;
    this.pre.textContent = hexRows(bytes, this.window.start).map((row) => row.text).join('\n');
    this.pre.dataset.start = String(this.window.start);
    this.pre.dataset.end = String(this.window.end);
    this.summary.textContent =
      bytes.length === 0
        ? 'No bytes received yet. The hex view shows what this page receives from now on.'
        : `Offsets ${formatHexOffset(this.window.start)}–${formatHexOffset(this.window.end)}: the last ${bytes.length} bytes this page received (at most ${this.window.capacityBytes}); Download has the rest.`;
    if (follow) this.pre.scrollTop = this.pre.scrollHeight;
  }

  dispose(): void {
    this.store?.dispose();
    this.store = null;
  }
}
