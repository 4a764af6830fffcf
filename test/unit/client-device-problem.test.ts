import { describe, expect, it } from 'vitest';
import { deviceEventNotice } from '../../client/console/device-events.js';
import { clockTime, deviceProblem } from '../../client/ui/device-problem.js';
import type { DeviceStatus } from '../../server/wire/protocol.js';

const status = (over: Partial<DeviceStatus> = {}): DeviceStatus => ({
  state: 'open',
  path: '/dev/ttyACM0',
  baudRate: 115200,
  dtr: true,
  rts: true,
  charDelayMs: 0,
  lineDelayMs: 0,
  ...over,
});

describe('deviceProblem (bug 8: why a device cannot be opened, on the page)', () => {
  it('says nothing while the device is open', () => {
    expect(deviceProblem(status())).toBeNull();
    expect(deviceProblem(null)).toBeNull();
  });

  it('names the dialout group for a permission error', () => {
    const problem = deviceProblem(
      status({ state: 'waiting', message: 'permission denied opening /dev/ttyACM0: add your user to the dialout group' }),
    );
    expect(problem?.title).toBe('No permission to open the device');
    expect(problem?.reason).toMatch(/permission denied/);
    expect(problem?.fix).toContain('sudo usermod -aG dialout $USER');
  });

  it('explains a missing device, a busy one and one that is not a serial device', () => {
    expect(deviceProblem(status({ state: 'waiting', message: 'waiting for /dev/ttyACM0: device not present' }))?.fix).toMatch(/Plug the board in/);
    expect(deviceProblem(status({ state: 'waiting', message: '/dev/ttyACM0 is in use by another program' }))?.title).toMatch(/in use/);
    expect(deviceProblem(status({ state: 'waiting', message: '/dev/null is not a serial device (ENOTTY)' }))?.fix).toMatch(/serial port/);
    expect(deviceProblem(status({ state: 'waiting', message: 'something new' }))).toMatchObject({ reason: 'something new', fix: null });
  });

  it('shows a release for flashing with the time it ends', () => {
    const until = new Date(2025, 0, 1, 14, 5, 10).getTime();
    expect(clockTime(until)).toBe('14:05:10');
    expect(deviceProblem(status({ state: 'released', releasedUntilMs: until }))).toMatchObject({
      kind: 'released',
      title: 'Released for flashing until 14:05:10',
    });
  });
});

describe('deviceEventNotice (inline device events, as tio marks them)', () => {
  it('marks a disconnect with its reason and a reconnect with the framing', () => {
    const open = status({ framing: '115200 8N1' });
    const gone = status({ state: 'waiting', message: 'device unplugged' });
    expect(deviceEventNotice(open, gone, true)).toBe('disconnected: device unplugged');
    expect(deviceEventNotice(gone, open, true)).toBe('reconnected at 115200 8N1');
    expect(deviceEventNotice(gone, status({ baudRate: 9600 }), false)).toBe('connected at 9600 8N1');
  });

  it('marks a change of speed while open, and nothing when nothing changed', () => {
    expect(deviceEventNotice(status(), status({ baudRate: 9600 }), true)).toBe('now 9600 8N1');
    expect(deviceEventNotice(status(), status({ dtr: false }), true)).toBeNull();
    expect(deviceEventNotice(null, status(), false)).toBeNull();
  });

  it('says why on first sight of a device that is not open', () => {
    expect(deviceEventNotice(null, status({ state: 'waiting', message: 'device not present' }), false)).toBe(
      'waiting: device not present',
    );
  });
});
