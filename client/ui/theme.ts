// The page's theme: dark or light, following the system (prefers-color-scheme) unless the person chose one.
import type { ThemeChoice } from './preferences.js';

/** The media query that says the system prefers light colours. */
const LIGHT_QUERY = '(prefers-color-scheme: light)';

/** True when `choice` resolves to the light theme, given whether the system prefers light. */
export function resolveLight(choice: ThemeChoice, systemPrefersLight: boolean): boolean {
  return choice === 'light' || (choice === 'system' && systemPrefersLight);
}

/** The page's theme as the app drives it. */
export interface PageTheme {
  /** Applies `choice` now and whenever the system's preference changes. */
  set(choice: ThemeChoice): void;
  /** Stops following the system. */
  dispose(): void;
}

/**
 * Sets `data-theme` on the root element (styles.css keys its colours on it), the color-scheme and
 * theme-color metas, and calls `applied(light)` so the console can switch palettes.
 */
export function bindPageTheme(doc: Document, view: Window, applied: (light: boolean) => void): PageTheme {
  const query = view.matchMedia(LIGHT_QUERY);
  let choice: ThemeChoice = 'system';
  const apply = (): void => {
    const light = resolveLight(choice, query.matches);
    doc.documentElement.dataset.theme = light ? 'light' : 'dark';
    doc.querySelector('meta[name="color-scheme"]')?.setAttribute('content', light ? 'light' : 'dark');
    // The browser chrome around the page (phones) takes the toolbar's colour.
    doc.querySelector('meta[name="theme-color"]')?.setAttribute('content', light ? '#f3f4f6' : '#0e1116');
    applied(light);
  };
  query.addEventListener('change', apply);
  return {
    set(next) {
      choice = next;
      apply();
    },
    dispose() {
      query.removeEventListener('change', apply);
    },
  };
}
