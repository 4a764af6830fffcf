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
