// Bug 8: why the device cannot be opened, shown where its output would be (a tooltip on the status pill
// is invisible on a phone), with what to do about it. Pure: the words are tested without a page.
import { describeFraming, type DeviceStatus } from '../../server/wire/protocol.js';

/** What the card over the console says: a headline, the server's reason, and the fix when one is known. */
export interface DeviceProblem {
  /** `released`: the port was let go on purpose (the card offers Reclaim); `problem`: anything else. */
  kind: 'problem' | 'released';
  title: string;
  reason: string;
  fix: string | null;
}

/** Known causes, matched on the server's message (server/serial/devices/open-error.ts words them), with their fix. */
const FIXES: ReadonlyArray<{ match: RegExp; title: string; fix: string }> = [
  {
    match: /permission denied|EACCES|EPERM/i,
    title: 'No permission to open the device',
    fix: 'Add the user serialdeck runs as to the dialout group: sudo usermod -aG dialout $USER, then log out and in again (the systemd unit has SupplementaryGroups=dialout). serialdeck retries by itself.',
  },
  {
    match: /in use|EBUSY|locked/i,
    title: 'The device is in use by another program',
    fix: 'Close the other program (a serial monitor, screen, minicom, an upload; ModemManager grabs new modems), and serialdeck opens the port again.',
  },
  {
    match: /not a serial device|ENOTTY/i,
    title: 'Not a serial device',
    fix: 'Check the path: serialdeck wants a serial port such as /dev/ttyUSB0, /dev/ttyACM0 or a /dev/serial/by-id/ link.',
  },
  {
    match: /not present|unplugged|ENOENT|no such|disconnected/i,
    title: 'Waiting for the device',
    fix: 'Plug the board in (with a cable that carries data, not only power); serialdeck opens it as soon as it appears.',
  },
];

/** `ms` since the epoch as the page's local wall-clock time, e.g. 14:05:10. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** The card for `device`, or null while it is open (or opening without trouble) and there is nothing to explain. */
export function deviceProblem(device: DeviceStatus | null): DeviceProblem | null {
  if (device === null || device.state === 'open') return null;
  const message = device.message ?? '';
  if (device.state === 'released') {
    const until = device.releasedUntilMs === undefined ? '' : ` until ${clockTime(device.releasedUntilMs)}`;
    return {
      kind: 'released',
      title: `Released for flashing${until}`,
      reason: `serialdeck closed ${device.path} so another program can upload to the board.`,
      fix: 'Flash it now (avrdude, esptool, arduino-cli upload); serialdeck takes the port back when the time is up, or now with Reclaim.',
    };
  }
  if (device.state === 'opening' && message === '') return null;
  if (device.state === 'restarting') {
    return { kind: 'problem', title: 'The serial worker is restarting', reason: message || 'It stopped unexpectedly.', fix: null };
  }
  const known = FIXES.find((f) => f.match.test(message));
  if (device.state === 'closed') {
    return { kind: 'problem', title: `${device.path} is closed`, reason: message || 'serialdeck is not holding the port.', fix: known?.fix ?? null };
  }
  return {
    kind: 'problem',
    title: known?.title ?? `Cannot open ${device.path}`,
    reason: message || `waiting for ${device.path}`,
    fix: known?.fix ?? null,
  };
}

/** The speed and framing of `device` as one label (`115200 8N1`), from the server's label when it sends one. */
export function framingLabel(device: DeviceStatus): string {
  return device.framing ?? describeFraming(device);
}
