// The console's find bar (Ctrl+F): incremental search with all matches highlighted and a match count.
import type { ISearchOptions, SearchAddon } from '@xterm/addon-search';
import { byId } from '../ui/dom.js';
import { SEARCH_DECORATIONS } from './terminal-theme.js';

/** The find bar as the app drives it. */
export interface SearchBox {
  /** Shows the bar and focuses its input, prefilled with `selection` when one is given. */
  open(selection: string): void;
  close(): void;
  isOpen(): boolean;
}

/** Binds #search and its parts to `addon`; `onClose` is where focus goes back to (the console or the input). */
export function bindSearchBox(doc: Document, addon: SearchAddon, onClose: () => void): SearchBox {
  const box = byId(doc, 'search', HTMLElement);
  const input = byId(doc, 'search-input', HTMLInputElement);
  const count = byId(doc, 'search-count', HTMLElement);
  const options = (incremental: boolean): ISearchOptions => ({ incremental, decorations: { ...SEARCH_DECORATIONS } });

  const find = (direction: 'next' | 'previous', incremental = false): void => {
    const term = input.value;
    if (term === '') {
      addon.clearDecorations();
      count.textContent = '';
      return;
    }
    if (direction === 'next') addon.findNext(term, options(incremental));
    else addon.findPrevious(term, options(false));
  };
  addon.onDidChangeResults(({ resultIndex, resultCount }) => {
    if (input.value === '') count.textContent = '';
    else if (resultCount === 0) count.textContent = 'no matches';
    else if (resultIndex < 0) count.textContent = `${resultCount}+ matches`;
    else count.textContent = `${resultIndex + 1} of ${resultCount}`;
  });

  const close = (): void => {
    if (box.hidden) return;
    box.hidden = true;
    addon.clearDecorations();
    onClose();
  };
  input.addEventListener('input', () => find('next', true));
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    find(event.shiftKey ? 'previous' : 'next');
  });
  box.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    close();
  });
  byId(doc, 'search-next', HTMLButtonElement).addEventListener('click', () => find('next'));
  byId(doc, 'search-prev', HTMLButtonElement).addEventListener('click', () => find('previous'));
  byId(doc, 'search-close', HTMLButtonElement).addEventListener('click', close);

  return {
    open(selection) {
      box.hidden = false;
      if (selection !== '' && !selection.includes('\n')) input.value = selection;
      input.focus();
      input.select();
      if (input.value !== '') find('next', true);
    },
    close,
    isOpen: () => !box.hidden,
  };
}
