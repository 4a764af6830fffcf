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
  it('defaults to line mode, LF, no local echo', () => {
    expect(parsePreferences(null)).toEqual({ mode: 'line', lineEnding: 'lf', localEcho: false, downloadFormat: 'text' });
    expect(DEFAULT_PREFERENCES.mode).toBe('line');
  });

  it('round-trips through the store', () => {
    const store = memoryStore();
    savePreferences(store, { mode: 'raw', lineEnding: 'crlf', localEcho: true, downloadFormat: 'ndjson' });
    expect(loadPreferences(store)).toEqual({ mode: 'raw', lineEnding: 'crlf', localEcho: true, downloadFormat: 'ndjson' });
  });

  it('falls back field by field on bad values', () => {
    expect(parsePreferences('{"mode":"telnet","lineEnding":"cr","localEcho":"yes","downloadFormat":"pdf"}')).toEqual({
      mode: 'line',
      lineEnding: 'cr',
      localEcho: false,
      downloadFormat: 'text',
    });
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
