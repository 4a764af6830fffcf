import { describe, expect, it } from 'vitest';
import { formatPortList } from '../../server/format-port-list.js';

describe('formatPortList', () => {
  it('shows each port with its by-id path, the id it gets and its usb identity (for --usb or usb:)', () => {
    expect(
      formatPortList([
        {
          path: '/dev/ttyACM0',
          vendorId: '2341',
          productId: '0043',
          manufacturer: 'Arduino (www.arduino.cc)',
          serialNumber: '7583',
          byIdPath: '/dev/serial/by-id/usb-Arduino__www.arduino.cc__0043_7583-if00',
        },
        { path: '/dev/ttyAMA0' },
      ]),
    ).toBe(
      [
        '/dev/ttyACM0  2341:0043  Arduino (www.arduino.cc)  sn 7583',
        '    /dev/serial/by-id/usb-Arduino__www.arduino.cc__0043_7583-if00',
        '    id arduino-0043-7583  usb 2341:0043:7583',
        '/dev/ttyAMA0  -  -  -',
        '    id ttyama0',
        '',
      ].join('\n'),
    );
  });

  it('says when there is nothing to list', () => expect(formatPortList([])).toBe('no serial ports found\n'));
});
