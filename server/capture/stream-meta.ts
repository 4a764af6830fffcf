// The capture dir's small JSON meta file: the stream's identity, the durable "reserved" mark
// (no offset below it may be reused after a crash) and, after a clean close, the exact end.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { describeError, errorCode } from './fs-errors.js';

/** Name of the meta file inside a capture dir. */
export const META_FILE_NAME = 'capture.json';

/** The meta file's content. `end` is meaningful only when `clean` (written by close()). */
export interface StreamMeta {
  version: 1;
  streamId: string;
  reservedOffset: number;
  clean: boolean;
  end: number;
}

/** Reads the meta; meta null when absent or unreadable, with `problem` saying why when it existed but could not be used. */
export async function readStreamMeta(dir: string): Promise<{ meta: StreamMeta | null; problem: string | null }> {
  let text: string;
  try {
    text = await readFile(join(dir, META_FILE_NAME), 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { meta: null, problem: null };
    return { meta: null, problem: describeError(err) };
  }
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const safe = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
    if (o.version === 1 && typeof o.streamId === 'string' && o.streamId.length > 0 && safe(o.reservedOffset)) {
      if (typeof o.clean === 'boolean' && safe(o.end)) {
        return {
          meta: { version: 1, streamId: o.streamId, reservedOffset: o.reservedOffset, clean: o.clean, end: o.end },
          problem: null,
        };
      }
    }
  } catch {
    // fall through: not JSON
  }
  return { meta: null, problem: 'not a valid capture meta file' };
}

/** Replaces the meta atomically and durably (fsync before rename: the reserved mark must survive a power cut). */
export async function writeStreamMeta(dir: string, meta: StreamMeta): Promise<void> {
  await writeFileAtomic(join(dir, META_FILE_NAME), JSON.stringify(meta) + '\n', true);
}
