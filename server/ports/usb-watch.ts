// Watch mode's eyes: reads the directory of stable device links (/dev/serial/by-id) every couple of
// seconds and reports each link the first time it is seen. Polling, not inotify: udev replaces the
// directory itself when the first device appears, which a watch on it would miss, and a readdir
// every 2 s costs nothing on a Pi.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BY_ID_DIR } from '../serial/devices/list-ports.js';

/** How often the by-id directory is read, in ms: a plugged-in board is served within 2 s, for one readdir per period. */
export const WATCH_INTERVAL_MS = 2000;

/** Calls `appeared` with every link path in `dir` not reported before (now, then every intervalMs); returns a stop function. */
export function watchByIdLinks(options: { dir?: string; intervalMs?: number; appeared(linkPath: string): void }): () => void {
  const dir = options.dir ?? BY_ID_DIR;
  const seen = new Set<string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const scan = async (): Promise<void> => {
    const names = await readdir(dir).catch(() => [] as string[]); // no device plugged in: no directory
    if (stopped) return;
    for (const name of names.sort()) {
      const link = join(dir, name);
      if (seen.has(link)) continue;
      seen.add(link);
      options.appeared(link);
    }
    timer = setTimeout(() => void scan(), options.intervalMs ?? WATCH_INTERVAL_MS);
    timer.unref();
  };
  void scan();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
