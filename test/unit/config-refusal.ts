// The one-line ConfigError a config or flag mistake must raise, for the config tests.
import { expect } from 'vitest';
import { ConfigError } from '../../server/config.js';

/** Runs `run`, which must throw a ConfigError whose message is one line; returns the message. */
export function configRefusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}
