// A port named by USB identity (VID:PID, optionally a serial number) instead of a path: each open
// attempt looks it up in the OS's port list, so a board that re-enumerates as another ttyACM is
// found again.
import type { UsbMatch } from '../messages.js';
import type { PortInfo } from './list-ports.js';

/** `2341:0043`, or `2341:0043:85736323` with a serial number: how status messages name a match. */
export function describeUsbMatch(match: UsbMatch): string {
  const id = `${match.vendorId}:${match.productId}`.toLowerCase();
  return match.serialNumber ? `${id}:${match.serialNumber}` : id;
}

/** The path of the first listed port with `match`'s identity (hex ids compared case-insensitively, a `0x` prefix ignored), or undefined. */
export function findUsbPort(match: UsbMatch, ports: readonly PortInfo[]): string | undefined {
  const vendorId = normalizeHex(match.vendorId);
  const productId = normalizeHex(match.productId);
  const found = ports.find(
    (port) =>
      port.vendorId !== undefined &&
      port.productId !== undefined &&
      normalizeHex(port.vendorId) === vendorId &&
      normalizeHex(port.productId) === productId &&
      (match.serialNumber === undefined || port.serialNumber?.toLowerCase() === match.serialNumber.toLowerCase()),
  );
  return found?.path;
}

function normalizeHex(id: string): string {
  return id.trim().toLowerCase().replace(/^0x/, '');
}
