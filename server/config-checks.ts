// Small shape checks shared by the config resolver: what a value is, and which keys a mapping may have.

/** A plain mapping (a YAML mapping or an object literal), not a list or null. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as an error message shows it: strings quoted and shortened, lists and mappings by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  return String(value);
}

/** Names people reach for that mean one of ours (the old flag and field names among them). */
const KNOWN_ALIASES: Readonly<Record<string, string>> = {
  // keyed lowercase without - or _, as suggest() normalises what it is given
  port: 'listenPort',
  listen: 'listenPort',
  baudrate: 'baud',
  speed: 'baud',
  device: 'path',
  dev: 'path',
  devices: 'ports',
  scrollbackbytes: 'scrollback',
  retain: 'retention',
  vid: 'vendorId',
  pid: 'productId',
  serial: 'serialNumber',
  origins: 'allowedOrigins',
  alloworigin: 'allowedOrigins',
};

/**
 * The first key of `record` not in `allowed`, with a hint: `elsewhere[key]` when given (the key belongs in another
 * mapping), else a "did you mean" when a known key is close, else the known keys. Null when every key is known.
 */
export function findUnknownKey(
  record: Record<string, unknown>,
  allowed: readonly string[],
  elsewhere: Readonly<Record<string, string>> = {},
): { key: string; hint: string } | null {
  for (const key of Object.keys(record)) {
    if (allowed.includes(key)) continue;
    const placed = Object.hasOwn(elsewhere, key) ? elsewhere[key] : undefined;
    if (placed) return { key, hint: ` (${placed})` };
    const guess = suggest(key, allowed);
    return { key, hint: guess ? ` (did you mean ${guess}?)` : ` (known: ${allowed.join(', ')})` };
  }
  return null;
}

function suggest(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase().replace(/[-_]/g, '');
  const alias = Object.hasOwn(KNOWN_ALIASES, lower) ? KNOWN_ALIASES[lower] : undefined;
  if (alias && allowed.includes(alias)) return alias;
  let best: { name: string; distance: number } | undefined;
  for (const name of allowed) {
    const distance = editDistance(lower, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  // Two edits catch a typo or a swapped pair; short names get one, or "host" would suggest "port".
  return best && best.distance <= (best.name.length <= 4 ? 1 : 2) ? best.name : undefined;
}

/** Levenshtein distance: written here because the names are a dozen short words, not worth a dependency. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
