// Replaces a small file so a reader sees the old content or the new, never a mix: write a temp
// file beside it, fsync it, rename it over the target (rename is atomic within a file system).

import { open, rename, unlink } from 'node:fs/promises';

/** Suffix of the temp files; a leftover one (a crash mid-write) is ignored and removed at open. */
export const TEMP_SUFFIX = '.tmp';

/** Writes `text` to `path` atomically; `durable` also fsyncs the temp file first, so a power cut cannot leave an empty file. */
export async function writeFileAtomic(path: string, text: string, durable: boolean): Promise<void> {
  const temp = path + TEMP_SUFFIX;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
