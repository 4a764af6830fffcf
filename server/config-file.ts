// Reads a YAML config file (ser2net's config is YAML too, so its users know the format) into a ConfigInput.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';
import { describeValue, isRecord } from './config-checks.js';
import type { ConfigInput } from './config.js';

/** The usual reasons a file cannot be read, said shortly (Node's own message repeats the path). */
const READ_ERRORS: Readonly<Record<string, string>> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };

/**
 * Reads and parses `path`. Throws ConfigError naming the file when it cannot be read, is not valid YAML
 * (with line:column) or is not a mapping. The fields are checked by resolveConfig, which is given the same file name.
 * An empty file is an empty config.
 */
export function loadConfigFile(path: string): ConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = READ_ERRORS[code ?? ''] ?? message;
    throw new ConfigError(`${path}: cannot read the config file: ${reason}`);
  }
  // logLevel error: yaml's warnings (a list used as a key) would go to stderr as Node warnings; the key is refused below anyway.
  const document = parseDocument(text, { logLevel: 'error' });
  const [error] = document.errors;
  if (error) {
    const at = error.linePos?.[0];
    // yaml's message ends with " at line L, column C:" and a snippet on further lines; we keep the first line's reason.
    const reason = (error.message.split('\n')[0] ?? error.code).replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${path}${at ? `:${at.line}:${at.col}` : ''}: ${reason}`);
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // Errors yaml finds only when building the values: an alias before its anchor, or too many aliases (a "billion laughs").
    throw new ConfigError(`${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) throw new ConfigError(`${path}: must be a mapping of settings (such as "ports:"), got ${describeValue(value)}`);
  // The shape is checked field by field in resolveConfig, whose messages name the field.
  return value as ConfigInput;
}
