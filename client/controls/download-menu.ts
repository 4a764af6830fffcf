// The Download menu: a button that opens a panel of links (one per range) and a format choice, plus
// Copy all and Save as text for what this console shows. The links
// are real <a download href> elements, so the browser downloads them (the server names the file).
import type { DownloadFormat } from '../../server/wire/api.js';
import { byId } from '../ui/dom.js';
import { DOWNLOAD_FORMAT_LABELS, DOWNLOAD_RANGES, downloadHref, isDownloadFormat } from './download-links.js';
import { dismissMenuOn } from '../ui/menu-dismiss.js';

/** The menu as the app drives it. */
export interface DownloadMenu {
  /** Points every link at port `portId` (null: not known yet, the links are disabled). */
  setPort(portId: string | null): void;
  setFormat(format: DownloadFormat): void;
}

/**
 * Binds #download-toggle, #download-menu, #download-format and the links #download-<range> (created here,
 * from DOWNLOAD_RANGES), #copy-all and #save-screen. `pageOpenedMs` bounds "since I opened the page";
 * `formatChosen` keeps the choice; `consoleActions` copy or save the console's text.
 */
export function bindDownloadMenu(
  doc: Document,
  pageOpenedMs: number,
  formatChosen: (format: DownloadFormat) => void,
  consoleActions: { copyAll(): void; saveScreen(): void },
): DownloadMenu {
  const toggle = byId(doc, 'download-toggle', HTMLButtonElement);
  const panel = byId(doc, 'download-menu', HTMLElement);
  const list = byId(doc, 'download-links', HTMLElement);
  const formatSelect = byId(doc, 'download-format', HTMLSelectElement);
  const container = toggle.parentElement ?? panel;
  let portId: string | null = null;
  let format: DownloadFormat = 'text';

  formatSelect.replaceChildren(
    ...Object.entries(DOWNLOAD_FORMAT_LABELS).map(([value, label]) => new Option(label, value)),
  );
  const links = DOWNLOAD_RANGES.map(({ range, label }) => {
    const link = doc.createElement('a');
    link.id = `download-${range}`;
    link.className = 'menu-link';
    link.textContent = label;
    link.download = ''; // the server's Content-Disposition names the file
    link.addEventListener('click', (event) => {
      if (portId === null) event.preventDefault();
      else setOpen(false);
    });
    list.append(link);
    return { range, link };
  });

  const refresh = (): void => {
    for (const { range, link } of links) {
      if (portId === null) {
        link.removeAttribute('href');
        link.setAttribute('aria-disabled', 'true');
      } else {
        link.href = downloadHref(portId, range, format, pageOpenedMs);
        link.removeAttribute('aria-disabled');
      }
    }
  };
  const setOpen = (open: boolean): void => {
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
  };

  toggle.addEventListener('click', () => setOpen(panel.hidden));
  // "This console": what the page shows, not the server's capture (notices included, nothing before a Clear).
  byId(doc, 'copy-all', HTMLButtonElement).addEventListener('click', () => {
    consoleActions.copyAll();
    setOpen(false);
  });
  byId(doc, 'save-screen', HTMLButtonElement).addEventListener('click', () => {
    consoleActions.saveScreen();
    setOpen(false);
  });
  formatSelect.addEventListener('change', () => {
    if (!isDownloadFormat(formatSelect.value)) return;
    format = formatSelect.value;
    refresh();
    formatChosen(format);
  });
  dismissMenuOn(doc, { container, opener: toggle, isOpen: () => !panel.hidden, close: () => setOpen(false) });
  setOpen(false);
  refresh();

  return {
    setPort(id) {
      portId = id;
      refresh();
    },
    setFormat(chosen) {
      format = chosen;
      formatSelect.value = chosen;
      refresh();
    },
  };
}
