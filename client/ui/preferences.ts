// Per-browser preferences (input mode, line ending, local echo, download format, theme, font size,
// screen-reader mode), validated on the way in from storage.
import type { DownloadFormat } from '../../server/wire/api.js';
import type { LineEnding } from '../../server/wire/protocol.js';
import { DEFAULT_DOWNLOAD_FORMAT, isDownloadFormat } from '../controls/download-links.js';
import { isLineEnding } from '../controls/line-ending.js';
import type { KeyValueStore } from './storage.js';

/** How typed input reaches the device. `line`: an input box, Enter sends. `raw`: every key as typed. */
export type InputMode = 'line' | 'raw';

/** The page's colours: `system` follows prefers-color-scheme; `dark` and `light` override it. */
export type ThemeChoice = 'system' | 'dark' | 'light';
/** Every ThemeChoice, in the settings' order. */
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'dark', 'light'];

/** Console font sizes offered, in CSS px: small enough for 120 columns on a laptop, large enough for a bench across the room. */
export const FONT_SIZES_PX = [11, 12, 13, 14, 16, 18, 20, 24] as const;

/** True when `value` is a theme choice. */
export function isThemeChoice(value: unknown): value is ThemeChoice {
  return (THEME_CHOICES as readonly unknown[]).includes(value);
}

/** The user's choices that survive a reload. */
export interface Preferences {
  mode: InputMode;
  lineEnding: LineEnding;
  /** Print sent lines in the console ourselves; off because boards usually echo. */
  localEcho: boolean;
  /** Line mode reads each typed line as bytes in hex and sends exactly those, with no line ending. */
  hexInput: boolean;
  /** The Download menu's format. */
  downloadFormat: DownloadFormat;
  theme: ThemeChoice;
  /** Console font size in CSS px; null: the page's default for the screen (smaller on phones). */
  fontSizePx: number | null;
  /** xterm's screen-reader mode: output is mirrored into an accessible live region. Off: it costs CPU. */
  screenReader: boolean;
  /** Writes to the port shown inline in the console, with their author (`alice> G28`). */
  showWrites: boolean;
}

/** Storage key of the preferences (JSON). */
export const PREFERENCES_STORAGE_KEY = 'serialdeck.preferences';

/** Defaults: line mode like the Arduino monitor, LF endings, no local echo (the device echoes), timestamped text downloads. */
export const DEFAULT_PREFERENCES: Readonly<Preferences> = {
  mode: 'line',
  lineEnding: 'lf',
  localEcho: false,
  hexInput: false,
  downloadFormat: DEFAULT_DOWNLOAD_FORMAT,
  theme: 'system',
  fontSizePx: null,
  screenReader: false,
  showWrites: false,
};

/** True when `value` is an input mode. */
export function isInputMode(value: unknown): value is InputMode {
  return value === 'line' || value === 'raw';
}

/** Parses stored preferences; each missing or invalid field falls back to its default. Never throws. */
export function parsePreferences(text: string | null): Preferences {
  let value: unknown = null;
  try {
    value = text === null ? null : JSON.parse(text);
  } catch {
    value = null;
  }
  const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return {
    mode: isInputMode(v.mode) ? v.mode : DEFAULT_PREFERENCES.mode,
    lineEnding: isLineEnding(v.lineEnding) ? v.lineEnding : DEFAULT_PREFERENCES.lineEnding,
    localEcho: typeof v.localEcho === 'boolean' ? v.localEcho : DEFAULT_PREFERENCES.localEcho,
    hexInput: typeof v.hexInput === 'boolean' ? v.hexInput : DEFAULT_PREFERENCES.hexInput,
    downloadFormat: isDownloadFormat(v.downloadFormat) ? v.downloadFormat : DEFAULT_PREFERENCES.downloadFormat,
    theme: isThemeChoice(v.theme) ? v.theme : DEFAULT_PREFERENCES.theme,
    fontSizePx: (FONT_SIZES_PX as readonly unknown[]).includes(v.fontSizePx) ? (v.fontSizePx as number) : DEFAULT_PREFERENCES.fontSizePx,
    screenReader: typeof v.screenReader === 'boolean' ? v.screenReader : DEFAULT_PREFERENCES.screenReader,
    showWrites: typeof v.showWrites === 'boolean' ? v.showWrites : DEFAULT_PREFERENCES.showWrites,
  };
}

/** Reads the preferences from `store`. */
export function loadPreferences(store: KeyValueStore): Preferences {
  return parsePreferences(store.getItem(PREFERENCES_STORAGE_KEY));
}

/** Writes `prefs` to `store`. */
export function savePreferences(store: KeyValueStore, prefs: Preferences): void {
  store.setItem(PREFERENCES_STORAGE_KEY, JSON.stringify(prefs));
}
