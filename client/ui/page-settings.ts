// The Settings panel's "This page" fields: theme, console font size, screen-reader mode, writes inline.
import { byId } from './dom.js';
import { FONT_SIZES_PX, isThemeChoice, type Preferences, type ThemeChoice } from './preferences.js';

/** What the fields ask the app to do. */
export interface PageSettingsActions {
  setTheme(choice: ThemeChoice): void;
  /** null: the default size for this screen. */
  setFontSize(px: number | null): void;
  setScreenReader(on: boolean): void;
  setShowWrites(on: boolean): void;
}

/** Binds #theme, #font-size and #screen-reader, showing `prefs`. */
export function bindPageSettings(doc: Document, prefs: Preferences, actions: PageSettingsActions): void {
  const theme = byId(doc, 'theme', HTMLSelectElement);
  const fontSize = byId(doc, 'font-size', HTMLSelectElement);
  const screenReader = byId(doc, 'screen-reader', HTMLInputElement);
  const showWrites = byId(doc, 'show-writes', HTMLInputElement);
  fontSize.replaceChildren(new Option('Default', ''), ...FONT_SIZES_PX.map((px) => new Option(`${px} px`, String(px))));
  theme.value = prefs.theme;
  fontSize.value = prefs.fontSizePx === null ? '' : String(prefs.fontSizePx);
  screenReader.checked = prefs.screenReader;
  showWrites.checked = prefs.showWrites;
  theme.addEventListener('change', () => {
    if (isThemeChoice(theme.value)) actions.setTheme(theme.value);
  });
  fontSize.addEventListener('change', () => actions.setFontSize(fontSize.value === '' ? null : Number(fontSize.value)));
  screenReader.addEventListener('change', () => actions.setScreenReader(screenReader.checked));
  showWrites.addEventListener('change', () => actions.setShowWrites(showWrites.checked));
}
