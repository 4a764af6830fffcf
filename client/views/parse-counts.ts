// How many of the port's lines parsed as records (by format) and how many stayed text, as the server
// counts them (GET /api/ports/ID/latest's `stats`): "412 lines · 400 records (json 400) · 12 text".
// Read every few seconds while a data view shows; the server's counts are the truth, not what the page saw.
import { RECORD_FORMATS, type LinesStats } from '../../server/wire/api.js';
import { toDisposable, type Disposable } from './disposables.js';
import type { ViewHost } from './port-data.js';

/** How often the counts are read again while a data view shows, in ms. */
export const PARSE_COUNTS_MS = 2_000;

/** `n` with thousands grouped (1,234,567), the same on every locale so tests and screenshots agree. */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const plural = (n: number, one: string, many: string): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** One line of counts: lines, records with the formats that had any (in RECORD_FORMATS order), text. */
export function formatParseCounts(stats: Pick<LinesStats, 'lines' | 'records' | 'text' | 'byFormat'>): string {
  const formats = RECORD_FORMATS.filter((f) => (stats.byFormat[f] ?? 0) > 0).map((f) => `${f} ${formatCount(stats.byFormat[f])}`);
  const records = plural(stats.records, 'record', 'records') + (formats.length > 0 ? ` (${formats.join(', ')})` : '');
  return [plural(stats.lines, 'line', 'lines'), records, `${formatCount(stats.text)} text`].join(' · ');
}

/** The tooltip: what the counts mean, and the partial lines and unreadable bytes when there were any. */
export function parseCountsTitle(stats: Pick<LinesStats, 'partials' | 'gapBytes'>): string {
  const parts = ['Complete lines the server read on this port: records (data, by format) and text (everything else)'];
  if (stats.partials > 0) parts.push(`${plural(stats.partials, 'partial line', 'partial lines')} (a prompt) shown before it ended`);
  if (stats.gapBytes > 0) parts.push(`${plural(stats.gapBytes, 'byte', 'bytes')} could not be read (no longer kept)`);
  return parts.join('; ');
}

/**
 * Reads `host`'s counts now and then every `intervalMs` after each answer (never two requests at once),
 * calling `show` with the stats, or with null and the error when a read fails (the last counts stay
 * true as far as they went). dispose() stops it; an answer arriving after that is dropped.
 */
export function pollParseCounts(
  host: Pick<ViewHost, 'fetchLatest' | 'timers'>,
  show: (stats: LinesStats | null, error?: unknown) => void,
  intervalMs = PARSE_COUNTS_MS,
): Disposable {
  let stopped = false;
  let timer: unknown = null;
  const read = async (): Promise<void> => {
    timer = null;
    try {
      const latest = await host.fetchLatest();
      if (!stopped) show(latest.stats);
    } catch (error) {
      if (!stopped) show(null, error);
    }
    if (!stopped) timer = host.timers.setTimeout(() => void read(), intervalMs);
  };
  void read();
  return toDisposable(() => {
    stopped = true;
    if (timer !== null) host.timers.clearTimeout(timer);
  });
}

/**
 * Keeps `el` showing `host`'s counts: its text, and data-lines, data-records, data-text and
 * data-json/-plotter/-csv/-teleplot for scripts and tests. Until the first answer it says so.
 */
export function showParseCounts(el: HTMLElement, host: Pick<ViewHost, 'fetchLatest' | 'timers'>, intervalMs = PARSE_COUNTS_MS): Disposable {
  const clear = (): void => {
    for (const key of ['lines', 'records', 'text', ...RECORD_FORMATS]) delete el.dataset[key];
    el.removeAttribute('data-error');
    el.title = '';
  };
  clear(); // nothing of another port's counts stays
  el.textContent = 'Counting lines…';
  const poll = pollParseCounts(
    host,
    (stats, error) => {
      if (!stats) {
        el.title = `Could not read the counts: ${error instanceof Error ? error.message : String(error)}`;
        el.toggleAttribute('data-error', true);
        return;
      }
      el.toggleAttribute('data-error', false);
      const text = formatParseCounts(stats);
      if (el.textContent !== text) el.textContent = text;
      el.title = parseCountsTitle(stats);
      el.dataset.lines = String(stats.lines);
      el.dataset.records = String(stats.records);
      el.dataset.text = String(stats.text);
      for (const f of RECORD_FORMATS) el.dataset[f] = String(stats.byFormat[f] ?? 0);
    },
    intervalMs,
  );
  return toDisposable(() => {
    poll.dispose();
    clear();
    el.textContent = '';
  });
}
