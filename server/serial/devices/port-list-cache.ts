// Waiting for a USB board by identity means asking "is it here yet?" every reopen poll. On Linux
// the answer (bindings-cpp's list) spawns `udevadm info -e`, which dumps the whole udev database:
// tens of ms of CPU on a Pi, twice a second for as long as the board stays unplugged. Plugging a
// board in always adds a device node (and, once udev has read its identity, a by-id link), so the
// full list is only asked for again when those change, or after a refresh period as a backstop.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BY_ID_DIR, DEV_PORT_PATTERN, listPorts, type PortInfo } from './list-ports.js';

/**
 * Longest a cached list is trusted while nothing seen changes, in ms: 10 s, so a change the
 * fingerprint misses (a property udev fills in late) is still found, at a tenth of a poll's cost.
 */
export const PORT_LIST_REFRESH_MS = 10_000;

/** What a cached lister reads: the full list, a cheap fingerprint of what could change it, and a clock. */
export interface PortListCacheDeps {
  list(): Promise<PortInfo[]>;
  fingerprint(): Promise<string>;
  nowMs?: () => number;
  refreshMs?: number;
}

/** A lister that calls `list` only when `fingerprint` changed or the last list is older than the refresh period; a failed list is not kept. */
export function cachedPortLister(deps: PortListCacheDeps): () => Promise<PortInfo[]> {
  const now = deps.nowMs ?? Date.now;
  const refreshMs = deps.refreshMs ?? PORT_LIST_REFRESH_MS;
  let kept: { fingerprint: string; atMs: number; ports: PortInfo[] } | null = null;
  return async () => {
    const fingerprint = await deps.fingerprint();
    if (kept && kept.fingerprint === fingerprint && now() - kept.atMs < refreshMs) return kept.ports;
    const atMs = now();
    const ports = await deps.list();
    kept = { fingerprint, atMs, ports };
    return ports;
  };
}

/**
 * The serial device nodes in `devDir` (by name, inode and change time: a board plugged out and in
 * again within a poll gets a new node) and the links in `byIdDir`, as one string. Cheap: two
 * readdirs and a stat per serial node.
 */
export async function serialNodesFingerprint(devDir = '/dev', byIdDir = BY_ID_DIR): Promise<string> {
  const names = (await readdir(devDir).catch(() => [] as string[])).filter((name) => DEV_PORT_PATTERN.test(name)).sort();
  const nodes = await Promise.all(
    names.map(async (name) => {
      const info = await stat(join(devDir, name)).catch(() => null);
      return info ? `${name}:${info.ino}:${info.ctimeMs}` : `${name}:gone`;
    }),
  );
  const links = (await readdir(byIdDir).catch(() => [] as string[])).sort();
  return `${nodes.join(',')}|${links.join(',')}`;
}

/** The lister a USB-identity port polls with: the OS's list, asked again only when the serial device nodes or by-id links change. */
export function usbPortLister(): () => Promise<PortInfo[]> {
  return cachedPortLister({ list: listPorts, fingerprint: () => serialNodesFingerprint() });
}
