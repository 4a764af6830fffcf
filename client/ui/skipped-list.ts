// The "Skipped" list under the console: the ranges this page missed, each with a download link when the
// capture still holds it (xterm cannot host a clickable button, so the list lives beside it).
import type { SkippedEntry } from '../console/skipped-ranges.js';
import { byId } from './dom.js';

/** Entries shown at most: the newest few; each stays downloadable from the Download menu's ranges anyway. */
export const MAX_SKIPPED_SHOWN = 5;

/** The list as the app drives it. */
export interface SkippedList {
  /** Adds `entry` at the top (dropping the oldest beyond MAX_SKIPPED_SHOWN) and shows the list. */
  add(entry: SkippedEntry): void;
  /** Empties and hides the list (the port changed, or the person dismissed it). */
  clear(): void;
}

/** Binds #skipped, #skipped-list and #skipped-dismiss. */
export function bindSkippedList(doc: Document): SkippedList {
  const box = byId(doc, 'skipped', HTMLElement);
  const list = byId(doc, 'skipped-list', HTMLElement);
  const dismiss = byId(doc, 'skipped-dismiss', HTMLButtonElement);
  const clear = (): void => {
    list.replaceChildren();
    box.hidden = true;
  };
  dismiss.addEventListener('click', clear);
  return {
    add(entry) {
      const item = doc.createElement('li');
      item.className = 'skipped-item';
      item.dataset.from = String(entry.from);
      item.dataset.to = String(entry.to);
      item.dataset.reason = entry.reason;
      const text = doc.createElement('span');
      text.textContent = `${entry.text}, bytes ${entry.from}–${entry.to}`;
      item.append(text);
      if (entry.href !== null) {
        const link = doc.createElement('a');
        link.className = 'skipped-download';
        link.href = entry.href;
        link.download = '';
        link.textContent = 'Download';
        link.setAttribute('aria-label', `Download the ${entry.bytes} skipped bytes (${entry.from}–${entry.to})`);
        item.append(' ', link);
      }
      list.prepend(item);
      while (list.children.length > MAX_SKIPPED_SHOWN) list.lastElementChild?.remove();
      box.hidden = false;
    },
    clear,
  };
}
