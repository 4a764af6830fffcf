// Small helpers for Node's file-system errors, which carry their cause as a string `code`.

/** The error's `code` (ENOSPC, ENOENT, ...) or '' when it has none. */
export function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return '';
}

/** A one-line description for a log line or a pause reason, for a person: "no space left on device (ENOSPC)". */
export function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = errorCode(err);
  if (!code) return message;
  // Node's fs messages read "ENOSPC: no space left on device, write '/path'": keep the words, name the code once.
  const words = message.startsWith(`${code}: `) ? message.slice(code.length + 2).replace(/, \w+( '[^']*')?$/, '') : message;
  return `${words} (${code})`;
}
