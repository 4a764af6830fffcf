// Open failures, said so a person knows what to do: a missing device is something to wait
// for, a permission error names the dialout group, a busy port names the likely cause.
import type { WireError } from '../messages.js';

/** Error codes that mean "the device is not there (yet)": waiting for it is the right response. */
export const MISSING_DEVICE_CODES: ReadonlySet<string> = new Set(['ENOENT', 'ENODEV', 'ENXIO']);

/** Maps the text of a bindings-cpp error (which carries no `code`) to an errno-style code, or undefined. */
export function codeFromNativeMessage(message: string): string | undefined {
  if (/No such file or directory/i.test(message)) return 'ENOENT';
  if (/No such device or address/i.test(message)) return 'ENXIO';
  if (/No such device/i.test(message)) return 'ENODEV';
  if (/Permission denied/i.test(message)) return 'EACCES';
  if (/Operation not permitted/i.test(message)) return 'EPERM';
  if (/Cannot lock port|Resource temporarily unavailable|busy/i.test(message)) return 'EBUSY';
  if (/Inappropriate ioctl/i.test(message)) return 'ENOTTY';
  if (/Input\/output error/i.test(message)) return 'EIO';
  return undefined;
}

/** The one-line status message for a failed open of `path`. */
export function describeOpenError(path: string, error: WireError): string {
  const code = error.code ?? '';
  if (MISSING_DEVICE_CODES.has(code)) return `waiting for ${path}: device not present`;
  if (code === 'EACCES' || code === 'EPERM')
    return (
      `permission denied opening ${path}: add your user to the dialout group ` +
      `(sudo usermod -aG dialout $USER, then log out and back in)`
    );
  if (code === 'ENOTTY') return `${path} is not a serial device (${error.message})`;
  if (code === 'EBUSY') return `${path} is in use by another program (close it, then serialdeck reopens the port)`;
  return `cannot open ${path}: ${error.message}`;
}
