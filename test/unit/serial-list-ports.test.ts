import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listPorts, readByIdLinks, withByIdPaths } from '../../server/serial/devices/list-ports.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('listPorts', () => {
  it('maps each by-id symlink to the device it points at', async () => {
    dir = await mkdtemp(join(tmpdir(), 'serialdeck-byid-'));
    const device = join(dir, 'ttyACM0');
    const byId = join(dir, 'by-id');
    await writeFile(device, '');
    await mkdir(byId);
    await symlink(device, join(byId, 'usb-Arduino_Uno_8573-if00'));
    await symlink(join(dir, 'gone'), join(byId, 'usb-dangling'));
    const links = await readByIdLinks(byId);
    expect([...links]).toEqual([[device, join(byId, 'usb-Arduino_Uno_8573-if00')]]);
  });

  it('reads a missing by-id directory as no links', async () => {
    expect((await readByIdLinks(join(tmpdir(), 'serialdeck-no-such-dir'))).size).toBe(0);
  });

  it('adds by-id paths, drops empty fields, sorts naturally', () => {
    const ports = withByIdPaths(
      [
        { path: '/dev/ttyUSB10' },
        { path: '/dev/ttyACM0', manufacturer: 'Arduino (www.arduino.cc)', vendorId: '2341', productId: '0043', serialNumber: '' },
        { path: '/dev/ttyUSB2' },
      ],
      new Map([['/dev/ttyACM0', '/dev/serial/by-id/usb-Arduino-if00']]),
    );
    expect(ports).toEqual([
      {
        path: '/dev/ttyACM0',
        manufacturer: 'Arduino (www.arduino.cc)',
        vendorId: '2341',
        productId: '0043',
        byIdPath: '/dev/serial/by-id/usb-Arduino-if00',
      },
      { path: '/dev/ttyUSB2' },
      { path: '/dev/ttyUSB10' },
    ]);
  });

  it('lists this machine without throwing, even without udev', async () => {
    const ports = await listPorts();
    expect(Array.isArray(ports)).toBe(true);
    for (const port of ports) expect(port.path).toMatch(/^\//);
  });
});
