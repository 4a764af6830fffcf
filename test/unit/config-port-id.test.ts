import { describe, expect, it } from 'vitest';
import { PORT_ID_PATTERN, portIdFrom } from '../../server/config-port-id.js';

describe('portIdFrom', () => {
  it.each([
    [{ id: 'bench-uno' }, 'bench-uno'],
    [{ name: 'Left Arduino (bench)', path: '/dev/ttyACM0' }, 'left-arduino-bench'],
    [{ path: '/dev/ttyACM0' }, 'ttyacm0'],
    [{ path: '/dev/ttyUSB1' }, 'ttyusb1'],
    [{ path: 'demo' }, 'demo'],
    [{ path: '/dev/pts/3' }, 'pts-3'],
    [{ path: 'COM3' }, 'com3'],
    [{ path: '/dev/serial/by-id/usb-Arduino_Uno_1234-if00' }, 'arduino-uno-1234'],
    [{ path: '/dev/serial/by-id/usb-Arduino__www.arduino.cc__0043_75833353035351F0E0D1-if00' }, 'arduino-0043-75833353035351f0e0d1'],
    [{ path: '/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0' }, 'ftdi-ft232r-usb-uart-a50285bi'],
    // A dual-port adapter: the interface tells its two ports apart, so it stays.
    [{ path: '/dev/serial/by-id/usb-FTDI_Dual_RS232-HS-if01-port0' }, 'ftdi-dual-rs232-hs-if01'],
    [{ path: '/dev/serial/by-id/usb-Espressif_USB_JTAG_serial_debug_unit_F4:12:FA:00:11:22-if00' }, 'espressif-usb-jtag-serial-debug-unit-f4-12-fa-00-11-22'],
    // A by-id-style name anywhere (tests make such links in a temporary folder).
    [{ path: '/tmp/t1/usb-Test_Board_42-if00' }, 'test-board-42'],
    [{ match: { vendorId: '2341', productId: '0043' } }, 'usb-2341-0043'],
    [{ match: { vendorId: '2341', productId: '0043', serialNumber: '7583_ABC' } }, 'usb-2341-0043-7583_abc'],
  ])('%j → %s', (port, id) => {
    expect(portIdFrom(port)).toBe(id);
    expect(id).toMatch(PORT_ID_PATTERN);
  });

  it('keeps a long by-id name under 64 characters by keeping the vendor and the serial number', () => {
    const id = portIdFrom({ path: '/dev/serial/by-id/usb-Silicon_Labs_CP2102N_USB_to_UART_Bridge_Controller_with_a_long_name_0123456789abcdef-if00-port0' });
    expect(id).toBe('silicon-0123456789abcdef');
  });

  it('gives a valid id for names with nothing usable', () => {
    expect(portIdFrom({ name: '***' })).toBe('port');
    expect(portIdFrom({ name: 'x'.repeat(100) })).toHaveLength(64);
    expect(portIdFrom({ name: '--Ünïcode board--' })).toMatch(PORT_ID_PATTERN);
  });
});
