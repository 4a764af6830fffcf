import { describe, expect, it } from 'vitest';
import { describeUsbMatch, findUsbPort } from '../../server/serial/devices/usb-match.js';

const PORTS = [
  { path: '/dev/ttyS0' },
  { path: '/dev/ttyUSB0', vendorId: '1A86', productId: '7523' },
  { path: '/dev/ttyACM0', vendorId: '2341', productId: '0043', serialNumber: '85736323' },
  { path: '/dev/ttyACM1', vendorId: '2341', productId: '0043', serialNumber: '95736323' },
];

describe('USB match', () => {
  it('finds the first port with the VID:PID, comparing hex without case or 0x', () => {
    expect(findUsbPort({ vendorId: '1a86', productId: '7523' }, PORTS)).toBe('/dev/ttyUSB0');
    expect(findUsbPort({ vendorId: '0x2341', productId: '0043' }, PORTS)).toBe('/dev/ttyACM0');
  });

  it('tells two boards of one model apart by serial number', () => {
    expect(findUsbPort({ vendorId: '2341', productId: '0043', serialNumber: '95736323' }, PORTS)).toBe('/dev/ttyACM1');
    expect(findUsbPort({ vendorId: '2341', productId: '0043', serialNumber: 'nope' }, PORTS)).toBeUndefined();
  });

  it('finds nothing when no port has the identity', () => {
    expect(findUsbPort({ vendorId: '0403', productId: '6001' }, PORTS)).toBeUndefined();
  });

  it('names a match as VID:PID[:serial]', () => {
    expect(describeUsbMatch({ vendorId: '2341', productId: '0043' })).toBe('2341:0043');
    expect(describeUsbMatch({ vendorId: '2341', productId: '0043', serialNumber: 'A1' })).toBe('2341:0043:A1');
  });
});
