// Stable port ids: the URL segment and capture directory name of a port, derived from what names it.
import type { UsbMatch } from './config-types.js';

/** What a port id must look like: lowercase, URL- and file-name-safe, at most 64 characters. */
export const PORT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Longest id, in characters (the pattern's bound): a URL segment and a directory name, so kept short. */
const MAX_ID_CHARS = 64;

/** A udev /dev/serial/by-id name: bus, vendor_product_serial, interface and (FTDI and the like) port number. */
const BY_ID_NAME = /^(?:usb|pci|platform)-(.+?)-if(\d+)(?:-port(\d+))?$/;

/**
 * The id of a port: `id` as given (checked by resolveConfig), else `name` slugified, else from `path`
 * (a by-id name shortened, e.g. usb-Arduino_Uno_1234-if00 → arduino-uno-1234; else the basename, ttyACM0 → ttyacm0;
 * `demo` → demo), else from `match` (usb-2341-0043[-serial]). Always matches PORT_ID_PATTERN unless `id` was given.
 */
export function portIdFrom(port: { id?: string; name?: string; path?: string; match?: UsbMatch | null }): string {
  if (port.id !== undefined) return port.id;
  if (port.name !== undefined) return slugify(port.name);
  if (port.path !== undefined) return idFromPath(port.path);
  if (port.match) {
    const { vendorId, productId, serialNumber } = port.match;
    return slugify(['usb', vendorId, productId, ...(serialNumber ? [serialNumber] : [])].join('-'));
  }
  return 'port';
}

function idFromPath(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const base = parts.at(-1) ?? path;
  const byId = BY_ID_NAME.exec(base);
  if (byId) return idFromById(byId[1] ?? base, byId[2] ?? '00', byId[3]);
  // /dev/pts/3 → pts-3: a bare number says nothing on its own.
  if (/^\d+$/.test(base) && parts.length > 1) return slugify(`${parts.at(-2)}-${base}`);
  return slugify(base);
}

/** vendor_product_serial with the interface suffix kept only when it tells ports of one board apart (if01, port1). */
function idFromById(body: string, iface: string, portNumber: string | undefined): string {
  // "Arduino__www.arduino.cc__0043_7583…": the vendor's web address adds length, not meaning.
  const words = body.split(/_+/).filter((word) => word && !/^www\./i.test(word)).map(slugify);
  const suffix = [Number(iface) === 0 ? '' : `if${iface}`, portNumber && Number(portNumber) !== 0 ? `port${portNumber}` : '']
    .filter(Boolean)
    .join('-');
  const join = (list: string[]) => [...list, ...(suffix ? [suffix] : [])].join('-');
  let id = join(words);
  // Too long: keep the vendor (first word) and the serial number (last), which is what tells boards apart.
  if (id.length > MAX_ID_CHARS && words.length > 2) id = join([words[0] ?? '', words.at(-1) ?? '']);
  return slugify(id);
}

/** Lowercase, runs of other characters to '-', trimmed to start alphanumeric and end without punctuation, at most 64 characters. */
export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, MAX_ID_CHARS)
    .replace(/[-._]+$/, '');
  return slug || 'port';
}
