// Formats `serialdeck list` output: one port per line, the fields people match boards by.
import type { PortInfo } from './serial/devices/list-ports.js';

/** One line per port: path, VID:PID, manufacturer, serial number, then the stable by-id path. */
export function formatPortList(ports: PortInfo[]): string {
  if (ports.length === 0) return 'no serial ports found\n';
  return ports
    .map((p) => {
      const vidPid = p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : '-';
      const fields = [p.path, vidPid, p.manufacturer ?? '-', p.serialNumber ? `sn ${p.serialNumber}` : '-'];
      return fields.join('  ') + (p.byIdPath ? `\n    ${p.byIdPath}` : '') + '\n';
    })
    .join('');
}
