// Device events written into the console as tio does ("disconnected", "reconnected at 115200 8N1"),
// so scrolling back shows when the board went away. They are page-local notices, not stream bytes:
// offsets, acks and downloads never include them. Pure: from the previous and the new status.
import type { DeviceStatus } from '../../server/wire/protocol.js';
import { clockTime, framingLabel } from '../ui/device-problem.js';

/**
 * The notice a status change calls for, or null. `previous` is the status before (null: the first on
 * this connection, which says nothing unless it finds the device not open: then why). `wasOpen`: the
 * device was open at some point while this page watched (so an open now is a reconnect).
 */
export function deviceEventNotice(previous: DeviceStatus | null, next: DeviceStatus, wasOpen: boolean): string | null {
  const why = next.message ? `: ${next.message}` : '';
  if (previous === null) return next.state === 'open' || next.state === 'opening' ? null : `${next.state}${why}`;
  if (previous.state !== next.state) {
    switch (next.state) {
      case 'open':
        return `${wasOpen ? 'reconnected' : 'connected'} at ${framingLabel(next)}`;
      case 'released':
        return `released for flashing${next.releasedUntilMs === undefined ? '' : ` until ${clockTime(next.releasedUntilMs)}`}`;
      case 'waiting':
        return previous.state === 'open' ? `disconnected${why}` : null;
      case 'closed':
        return `closed${why}`;
      case 'restarting':
        return `serial worker restarting${why}`;
      case 'opening':
        return null;
    }
    return null;
  }
  if (next.state === 'open' && framingLabel(previous) !== framingLabel(next)) return `now ${framingLabel(next)}`;
  return null;
}
