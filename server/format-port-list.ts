// Formats `serialdeck list` output: one port per entry, the fields people match boards by, and how to name
// each one in a config file or on the command line (its stable path, the id it would get, its USB identity).
import { portIdFrom } from './config-port-id.js';
import type { PortInfo } from './serial/devices/list-ports.js';

/**
 * Per port: path, VID:PID, manufacturer, serial number; then the stable by-id path when there is one; then the id
 * that path (or the device path) gives the port, and the usb identity (for `--usb` or `usb:`) that finds the board anywhere.
 */
export function formatPortList(ports: PortInfo[]): string {
  if (ports.length === 0) return 'no serial ports found\n';
  return ports
    .map((p) => {
      const vidPid = p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined;
      const fields = [p.path, vidPid ?? '-', p.manufacturer ?? '-', p.serialNumber ? `sn ${p.serialNumber}` : '-'];
      const usb = vidPid ? `  usb ${vidPid}${p.serialNumber ? `:${p.serialNumber}` : ''}` : '';
      const id = portIdFrom({ path: p.byIdPath ?? p.path });
      return [fields.join('  '), ...(p.byIdPath ? [`    ${p.byIdPath}`] : []), `    id ${id}${usb}`].join('\n') + '\n';
    })
    .join('');
}
