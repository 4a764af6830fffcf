// The console's colours: a calm dark palette whose ANSI colours stay readable on the background
// (each normal colour has at least 4.5:1 contrast against it). styles.css uses the same values.
import type { ITheme } from '@xterm/xterm';

/** Terminal background; the page chrome around the console is built from the same hue. */
export const CONSOLE_BACKGROUND = '#0e1116';

/** xterm.js theme for the console. */
export const CONSOLE_THEME: Readonly<ITheme> = {
  background: CONSOLE_BACKGROUND,
  foreground: '#d4d8df',
  cursor: '#8ab4f8',
  cursorAccent: CONSOLE_BACKGROUND,
  selectionBackground: '#2c4166',
  selectionInactiveBackground: '#253246',
  overviewRulerBorder: '#1c222b',
  scrollbarSliderBackground: 'rgba(140, 150, 170, 0.25)',
  scrollbarSliderHoverBackground: 'rgba(140, 150, 170, 0.4)',
  scrollbarSliderActiveBackground: 'rgba(140, 150, 170, 0.55)',
  black: '#2a313c',
  red: '#f47067',
  green: '#8ddb8c',
  yellow: '#e6b450',
  blue: '#6cb6ff',
  magenta: '#d2a8ff',
  cyan: '#56d4dd',
  white: '#c5cad3',
  brightBlack: '#768390',
  brightRed: '#ff938a',
  brightGreen: '#b4f1b4',
  brightYellow: '#f5d27a',
  brightBlue: '#96d0ff',
  brightMagenta: '#e2c5ff',
  brightCyan: '#8ce9f0',
  brightWhite: '#f0f3f6',
};

/** Search highlight colours (the search addon wants #RRGGBB). */
export const SEARCH_DECORATIONS = {
  matchBackground: '#3d4f2a',
  matchBorder: '#6b8f3a',
  matchOverviewRuler: '#8ddb8c',
  activeMatchBackground: '#7a5a12',
  activeMatchBorder: '#e6b450',
  activeMatchColorOverviewRuler: '#e6b450',
} as const;

/** Light console background: the page's light theme is built from it. */
export const LIGHT_CONSOLE_BACKGROUND = '#fbfbfc';

/**
 * xterm.js theme for the light page (prefers-color-scheme: light, or chosen): each normal ANSI colour
 * keeps at least 4.5:1 contrast on the light background, so a board's red error stays readable.
 */
export const LIGHT_CONSOLE_THEME: Readonly<ITheme> = {
  background: LIGHT_CONSOLE_BACKGROUND,
  foreground: '#1f2328',
  cursor: '#0969da',
  cursorAccent: LIGHT_CONSOLE_BACKGROUND,
  selectionBackground: '#b6d3f7',
  selectionInactiveBackground: '#d6e4f5',
  overviewRulerBorder: '#e1e4e8',
  scrollbarSliderBackground: 'rgba(80, 90, 110, 0.25)',
  scrollbarSliderHoverBackground: 'rgba(80, 90, 110, 0.4)',
  scrollbarSliderActiveBackground: 'rgba(80, 90, 110, 0.55)',
  black: '#24292f',
  red: '#c4281c',
  green: '#116329',
  yellow: '#7d4e00',
  blue: '#0550ae',
  magenta: '#8250df',
  cyan: '#0b6570',
  white: '#57606a',
  brightBlack: '#57606a',
  brightRed: '#a40e26',
  brightGreen: '#1a7f37',
  brightYellow: '#633c01',
  brightBlue: '#0969da',
  brightMagenta: '#6639ba',
  brightCyan: '#1b7c83',
  brightWhite: '#24292f',
};

/** The console theme for a resolved page theme. */
export function consoleTheme(light: boolean): Readonly<ITheme> {
  return light ? LIGHT_CONSOLE_THEME : CONSOLE_THEME;
}
