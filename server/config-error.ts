// The one error type of configuration: a value from a file, a flag or a caller that cannot be used.

/** A config value that cannot be used. `message` is one line naming where (file, field or flag) and why; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
