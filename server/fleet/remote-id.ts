// The local id of a port served by another node: a valid port id (config-port-id.ts's pattern) made
// from the node's name and the node's port id, so a fleet console's URLs, capture directories and
// picker entries are stable across restarts.
import { createHash } from 'node:crypto';
import { PORT_ID_PATTERN, slugify } from '../config-port-id.js';

/** Hex characters of the hash suffix: enough that two long or unusual names almost never collide (2^32). */
const HASH_CHARS = 8;
/** Longest id, in characters: PORT_ID_PATTERN's bound. */
const MAX_ID_CHARS = 64;

/**
 * `<node>.<port>` when that is already a valid port id (e.g. `lab-pi-3.uno`). Otherwise (capitals,
 * other characters, over 64 characters) the slug of it, cut to leave room, then `-` and the first 8
 * hex digits of the SHA-256 of `<node>/<port>`: two names that slug alike still get different ids.
 */
export function remotePortId(node: string, port: string): string {
  const plain = `${node}.${port}`;
  if (PORT_ID_PATTERN.test(plain)) return plain;
  const hash = createHash('sha256').update(`${node}/${port}`).digest('hex').slice(0, HASH_CHARS);
  const slug = slugify(plain).slice(0, MAX_ID_CHARS - HASH_CHARS - 1).replace(/[-._]+$/, '');
  return `${slug}-${hash}`;
}
