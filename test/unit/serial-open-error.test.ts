import { describe, expect, it } from 'vitest';
import { codeFromNativeMessage, describeOpenError } from '../../server/serial/devices/open-error.js';

describe('open errors', () => {
  it('maps bindings-cpp messages (which carry no code) to errno codes', () => {
    expect(codeFromNativeMessage('No such file or directory, cannot open /dev/ttyACM0')).toBe('ENOENT');
    expect(codeFromNativeMessage('Permission denied, cannot open /dev/ttyACM0')).toBe('EACCES');
    expect(codeFromNativeMessage('Error Resource temporarily unavailable Cannot lock port')).toBe('EBUSY');
    expect(codeFromNativeMessage('Inappropriate ioctl for device, cannot set')).toBe('ENOTTY');
    expect(codeFromNativeMessage('something new')).toBeUndefined();
  });

  it('says what to do', () => {
    expect(describeOpenError('/dev/ttyACM0', { message: 'x', code: 'ENOENT' })).toBe(
      'waiting for /dev/ttyACM0: device not present',
    );
    expect(describeOpenError('/dev/ttyACM0', { message: 'x', code: 'EACCES' })).toContain(
      'add your user to the dialout group',
    );
    expect(describeOpenError('/dev/ttyACM0', { message: 'x', code: 'EBUSY' })).toContain('in use by another program');
    expect(describeOpenError('/etc/hostname', { message: 'Inappropriate ioctl for device', code: 'ENOTTY' })).toBe(
      '/etc/hostname is not a serial device (Inappropriate ioctl for device)',
    );
    expect(describeOpenError('/dev/ttyACM0', { message: 'Weird failure' })).toBe('cannot open /dev/ttyACM0: Weird failure');
  });
});
