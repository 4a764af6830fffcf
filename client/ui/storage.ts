// Browser storage that cannot throw: private windows and full quotas must not break the console.

/** The slice of Web Storage serialdeck uses; localStorage fits, and so does a Map-backed fake in tests. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Wraps `store` (or nothing, when storage is unavailable) so reads return null and writes are dropped on error. */
export function safeStore(store: KeyValueStore | null): KeyValueStore {
  return {
    getItem(key) {
      try {
        return store ? store.getItem(key) : null;
      } catch {
        return null;
      }
    },
    setItem(key, value) {
      try {
        store?.setItem(key, value);
      } catch {
        // Quota exceeded or storage disabled: the setting lasts for this page only.
      }
    },
  };
}
