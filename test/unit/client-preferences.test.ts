import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PREFERENCES,
  loadPreferences,
  parsePreferences,
  PREFERENCES_STORAGE_KEY,
  savePreferences,
} from '../../client/ui/preferences.js';
import { safeStore } from '../../client/ui/storage.js';
import { memoryStore } from './client-fakes.js';

describe('preferences', () => {
  it('defaults to line mode, LF, no local echo, text (not hex) input', () => {
    expect(parsePreferences(null)).toEqual({
      mode: 'line',
      lineEnding: 'lf',
      localEcho: false,
      hexInput: false,
      downloadFormat: 'text',
      theme: 'system',
      fontSizePx: null,
      screenReader: false,
      showWrites: false,
    });
    expect(DEFAULT_PREFERENCES.mode).toBe('line');
  });

  it('round-trips through the store', () => {
    const store = memoryStore();
    const prefs = {
      mode: 'raw',
      lineEnding: 'crlf',
      localEcho: true,
      hexInput: true,
      downloadFormat: 'ndjson',
      theme: 'light',
      fontSizePx: 18,
      screenReader: true,
      showWrites: true,
    } as const;
    savePreferences(store, prefs);
    expect(loadPreferences(store)).toEqual(prefs);
  });

  it('falls back field by field on bad values', () => {
    expect(
      parsePreferences(
        '{"mode":"telnet","lineEnding":"cr","localEcho":"yes","hexInput":"on","downloadFormat":"pdf","theme":"sepia","fontSizePx":15,"screenReader":1,"showWrites":"on"}',
      ),
    ).toEqual({
      mode: 'line',
      lineEnding: 'cr',
      localEcho: false,
      hexInput: false,
      downloadFormat: 'text',
      theme: 'system',
      fontSizePx: null,
      screenReader: false,
      showWrites: false,
    });
    expect(parsePreferences('{"theme":"dark","fontSizePx":16}')).toMatchObject({ theme: 'dark', fontSizePx: 16 });
    expect(parsePreferences('not json')).toEqual(DEFAULT_PREFERENCES);
    expect(parsePreferences('[1,2]')).toEqual(DEFAULT_PREFERENCES);
  });
});

describe('safeStore', () => {
  it('turns throwing storage into no storage', () => {
    const throwing = {
      getItem(): string | null {
        throw new Error('SecurityError');
      },
      setItem(): void {
        throw new Error('QuotaExceededError');
      },
    };
    const store = safeStore(throwing);
    expect(store.getItem(PREFERENCES_STORAGE_KEY)).toBeNull();
    expect(() => store.setItem('k', 'v')).not.toThrow();
    expect(safeStore(null).getItem('k')).toBeNull();
  });
});
