// Which node stream a remote port's local copy follows, and how its offsets map onto the local ones.
// Normally the same (delta 0: the console's offsets are the node's). A node that starts a new stream
// (its capture was lost, or it keeps none and restarted) begins again at offset 0, below what the
// console already holds: the new stream is then appended after it (local = node + delta). The
// mapping is kept beside the port's capture so a console restart keeps following correctly.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../capture/atomic-file.js';

/** The node stream followed, and local offset minus node offset. */
export interface StreamMapping {
  streamId: string;
  delta: number;
}

/** What a node's PortStatus says of its stream. */
export interface NodeStream {
  streamId: string;
  /** The node's next offset. */
  end: number;
  /** The oldest offset the node's capture still holds. */
  start: number;
}

/**
 * The mapping to follow `node` with, given the one followed so far (`known`, null at first) and the
 * local copy's end. The same stream keeps its mapping. A first stream that the local copy does not
 * run past is followed at the node's own offsets. Anything else is a new stream: what the node still
 * holds of it goes right after the local end (never below it, so no local offset is used twice).
 */
export function mappingFor(known: StreamMapping | null, localEnd: number, node: NodeStream): StreamMapping {
  if (known && known.streamId === node.streamId) return known;
  if (!known && localEnd <= node.end) return { streamId: node.streamId, delta: 0 };
  return { streamId: node.streamId, delta: Math.max(0, localEnd - node.start) };
}

/** Where a remote port keeps its mapping: `fleet-link.json` in its capture directory (null: memory only). */
export interface MappingStore {
  load(): Promise<StreamMapping | null>;
  save(mapping: StreamMapping): Promise<void>;
}

/** Name of the mapping's file in a remote port's capture directory. */
export const MAPPING_FILE_NAME = 'fleet-link.json';

/** The mapping file in `dir`; an unreadable one counts as none (the port then follows as if new, which loses nothing held). */
export function mappingStoreIn(dir: string): MappingStore {
  const path = join(dir, MAPPING_FILE_NAME);
  return {
    load: async () => {
      try {
        const value: unknown = JSON.parse(await readFile(path, 'utf8'));
        const { streamId, delta } = (value ?? {}) as Partial<StreamMapping>;
        return typeof streamId === 'string' && Number.isSafeInteger(delta) ? { streamId, delta: delta! } : null;
      } catch {
        return null;
      }
    },
    save: (mapping) => writeFileAtomic(path, `${JSON.stringify(mapping)}\n`, true),
  };
}
