// A real, small, full-able disk for the disk-full tests: a tmpfs mounted on a fresh directory
// (the tests run as root, as CI does), and a ballast file that fills it.
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mounts a tmpfs of `sizeMiB` on a new temporary directory and returns it; fails with the reason when not root. */
export async function mountSmallDisk(sizeMiB: number, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const detail = err instanceof Error ? err.message : String(err);
    throw new Error(`this test mounts a ${sizeMiB} MiB tmpfs and needs root (CAP_SYS_ADMIN): run the tests as root. mount said: ${detail}`);
  }
  return dir;
}

/** Unmounts and removes a directory from mountSmallDisk; '' (nothing mounted) is fine. */
export async function unmountSmallDisk(dir: string): Promise<void> {
  if (!dir) return;
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Fills the file system under `dir` with one file until ENOSPC, then gives `roomBytes` back; returns the file's path. */
export async function fillDisk(dir: string, roomBytes = 0, name = 'ballast'): Promise<string> {
  const path = join(dir, name);
  const handle = await open(path, 'w');
  const block = new Uint8Array(16 * 1024);
  let size = 0;
  try {
    for (;;) size += (await handle.write(block)).bytesWritten;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  } finally {
    await handle.close();
  }
  if (roomBytes > 0) await truncate(path, Math.max(0, size - roomBytes));
  return path;
}
