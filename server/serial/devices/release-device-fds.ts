// After a worker thread dies without closing its device, descriptors it opened outside libuv
// (the one holding the port's exclusive flock()) stay open in the process: descriptors belong
// to the process, not the thread. Left alone, the restarted worker would find its own port
// "in use by another program" forever. The main thread never opens serial devices itself, so
// any descriptor of this process still on the device is the dead worker's.
import { close } from 'node:fs';
import { readdir, readlink, realpath } from 'node:fs/promises';

/** Closes every descriptor of this process open on the device at `path` (Linux, via /proc); returns how many. Elsewhere, or when the device is gone, does nothing. */
export async function releaseDeviceFds(path: string): Promise<number> {
  if (process.platform !== 'linux') return 0;
  let device: string;
  let fds: string[];
  try {
    device = await realpath(path);
    fds = await readdir('/proc/self/fd');
  } catch {
    return 0; // device unplugged: its descriptors no longer block anything
  }
  let released = 0;
  for (const name of fds) {
    const target = await readlink(`/proc/self/fd/${name}`).catch(() => undefined);
    if (target !== device) continue;
    await new Promise<void>((resolve) => close(Number(name), () => resolve()));
    released++;
  }
  return released;
}
