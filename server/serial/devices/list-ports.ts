// `serialdeck list`: the serial ports on this machine, with what identifies each board. Uses
// bindings-cpp's list (udev on Linux, IOKit on macOS) on the main thread, where it is safe (it
// never touches the read poller), and adds the stable /dev/serial/by-id name of each port.
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';

/** One serial port as `serialdeck list` and the HTTP API show it. */
export interface PortInfo {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  /** The /dev/serial/by-id symlink that points at `path`: stable across re-plugging, so the one to configure. */
  byIdPath?: string;
}

/** Where udev keeps stable per-device names on Linux. */
export const BY_ID_DIR = '/dev/serial/by-id';

/** Device names that are serial ports worth listing when udev cannot be asked (ttyS* left out: most are phantom UARTs). */
export const DEV_PORT_PATTERN = /^(ttyACM|ttyUSB|ttyAMA|ttyXRUSB|ttyWCH|rfcomm)\d+$/;

/** Lists the serial ports, sorted by path; never rejects for lack of udev (it falls back to scanning /dev). */
export async function listPorts(): Promise<PortInfo[]> {
  const byId = await readByIdLinks(BY_ID_DIR);
  let ports: PortInfo[];
  try {
    ports = await listWithBindings();
  } catch {
    ports = await listFromDev('/dev');
  }
  return withByIdPaths(ports, byId);
}

/** Reads a by-id style directory: a map from each symlink's resolved target to the symlink's path. Missing dir → empty map. */
export async function readByIdLinks(dir: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return links; // no USB serial device plugged in (or not Linux)
  }
  for (const name of names.sort()) {
    const link = join(dir, name);
    const target = await realpath(link).catch(() => undefined);
    if (target && !links.has(target)) links.set(target, link);
  }
  return links;
}

/** Adds byIdPath from `byId` (resolved target → link), drops empty fields, sorts by path. */
export function withByIdPaths(ports: PortInfo[], byId: Map<string, string>): PortInfo[] {
  return ports
    .map((port) => {
      const info: PortInfo = { path: port.path };
      for (const key of ['manufacturer', 'vendorId', 'productId', 'serialNumber'] as const) {
        const value = port[key];
        if (value) info[key] = value;
      }
      const byIdPath = byId.get(port.path);
      if (byIdPath) info.byIdPath = byIdPath;
      return info;
    })
    .sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

async function listWithBindings(): Promise<PortInfo[]> {
  const { autoDetect } = await import('@serialport/bindings-cpp');
  const ports = await autoDetect().list();
  return ports.map((port) => {
    const info: PortInfo = { path: port.path };
    if (port.manufacturer) info.manufacturer = port.manufacturer;
    if (port.vendorId) info.vendorId = port.vendorId;
    if (port.productId) info.productId = port.productId;
    if (port.serialNumber) info.serialNumber = port.serialNumber;
    return info;
  });
}

async function listFromDev(dir: string): Promise<PortInfo[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => DEV_PORT_PATTERN.test(name)).map((name) => ({ path: join(dir, name) }));
}
