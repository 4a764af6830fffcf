// Messages for the person at the page: a transient toast, a persistent banner over the console, and a
// screen-reader announcement channel (an aria-live region).
import { byId } from './dom.js';
import type { Timers, TimerHandle } from './timers.js';

/** How long a toast stays up, in ms: long enough to read two short sentences. */
export const TOAST_VISIBLE_MS = 5000;

/** Kind of a toast; errors are styled red and announced assertively. */
export type ToastTone = 'info' | 'error';

/** The page's message channels. */
export interface Notifier {
  /** Shows `message` briefly (replacing any toast up). */
  toast(message: string, tone?: ToastTone): void;
  /** Shows or (with null) hides the banner over the console, for states that need action. */
  banner(message: string | null): void;
  /** Tells screen readers about a change without showing anything. */
  announce(message: string): void;
}

/** Binds #toast, #banner and #announcer. */
export function createNotifier(doc: Document, timers: Timers): Notifier {
  const toastEl = byId(doc, 'toast', HTMLElement);
  const bannerEl = byId(doc, 'banner', HTMLElement);
  const announcer = byId(doc, 'announcer', HTMLElement);
  let hideTimer: TimerHandle | null = null;
  return {
    toast(message, tone = 'info') {
      if (hideTimer !== null) timers.clearTimeout(hideTimer);
      toastEl.textContent = message;
      toastEl.dataset.tone = tone;
      toastEl.setAttribute('role', tone === 'error' ? 'alert' : 'status');
      toastEl.hidden = false;
      hideTimer = timers.setTimeout(() => {
        hideTimer = null;
        toastEl.hidden = true;
      }, TOAST_VISIBLE_MS);
    },
    banner(message) {
      bannerEl.hidden = message === null;
      if (message !== null && bannerEl.textContent !== message) bannerEl.textContent = message;
    },
    announce(message) {
      announcer.textContent = message;
    },
  };
}
