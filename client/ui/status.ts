// What the status pill says: one state name (for styling and tests) and a short human label, derived
// from the connection and the device. Pure, so every combination can be tested without a page.
import type { DeviceStatus } from '../../server/wire/protocol.js';
import { clockTime, framingLabel } from './device-problem.js';
import type { ConnectionState } from '../connection/connection.js';

/**
 * The pill's state: the connection's when it is not connected, else the device's. `read-only` is not
 * a state of its own: it is reported beside the state (see StatusView.readOnly).
 */
export type PillState =
  | 'connecting'
  | 'reconnecting'
  | 'busy'
  | 'not-authorized'
  | 'open'
  | 'opening'
  | 'waiting'
  | 'closed'
  | 'restarting'
  | 'released';

/** Colour family of a pill: ok (green), pending (amber), error (red), idle (grey). */
export type PillTone = 'ok' | 'pending' | 'error' | 'idle';

/** Everything the toolbar shows about the state. */
export interface StatusView {
  state: PillState;
  tone: PillTone;
  /** Short text inside the pill, e.g. "open", "reconnecting in 3s". */
  label: string;
  /** Longer text for the tooltip and screen readers; includes the device's message when it has one. */
  detail: string;
  readOnly: boolean;
}

/** Text shown when the server refuses the page by policy (close code 1008). */
export const NOT_AUTHORIZED_TEXT = 'not authorized — open the URL with the token printed by the server';

/** Text of the banner while the server has no room for this page (close code 1013); the pill counts down. */
export const SERVER_FULL_TEXT = 'Too many pages are connected to this serialdeck. Retrying automatically…';

/**
 * The banner over the console for states where it stays empty and the person should know why
 * (refused, or server full); null otherwise. Constant per state, so screen readers hear it once.
 */
export function bannerText(view: StatusView): string | null {
  if (view.state === 'not-authorized') return NOT_AUTHORIZED_TEXT;
  if (view.state === 'busy') return SERVER_FULL_TEXT;
  return null;
}

/** Describes the state at time `nowMs`; `device` is the last status received (null before the first hello). */
export function describeStatus(
  connection: ConnectionState,
  device: DeviceStatus | null,
  readOnly: boolean,
  nowMs: number,
): StatusView {
  const view = (state: PillState, tone: PillTone, label: string, detail = label): StatusView => ({
    state,
    tone,
    label,
    detail,
    readOnly,
  });
  switch (connection.kind) {
    case 'unauthorized':
      return view('not-authorized', 'error', 'not authorized', NOT_AUTHORIZED_TEXT);
    case 'stopped':
      return view('closed', 'idle', 'disconnected');
    case 'connecting':
      return connection.attempt === 0 && device === null
        ? view('connecting', 'pending', 'connecting…')
        : view('reconnecting', 'pending', 'reconnecting…');
    case 'retrying': {
      const seconds = Math.max(1, Math.ceil((connection.atMs - nowMs) / 1000));
      return connection.reason === 'busy'
        ? view('busy', 'error', `server full · retry in ${seconds}s`, `too many clients are connected; retrying in ${seconds}s`)
        : view('reconnecting', 'pending', `reconnecting in ${seconds}s`, `connection to the server lost; reconnecting in ${seconds}s`);
    }
    case 'connected':
      break;
  }
  if (device === null) return view('connecting', 'pending', 'connecting…');
  const withMessage = (text: string): string => (device.message ? `${text}: ${device.message}` : text);
  switch (device.state) {
    case 'open':
      return view('open', 'ok', 'open', withMessage(`${device.path} open at ${framingLabel(device)}`));
    case 'opening':
      return view('opening', 'pending', 'opening…', withMessage(`opening ${device.path}`));
    case 'waiting':
      return view('waiting', 'pending', 'waiting for device', withMessage(`waiting for ${device.path}`));
    case 'restarting':
      return view('restarting', 'pending', 'restarting…', withMessage('serial worker restarting'));
    case 'closed':
      return view('closed', 'idle', 'closed', withMessage(`${device.path} closed`));
    case 'released': {
      const until = device.releasedUntilMs === undefined ? '' : ` until ${clockTime(device.releasedUntilMs)}`;
      return view('released', 'pending', 'released', `${device.path} released for flashing${until}`);
    }
    default:
      return view('closed', 'idle', String(device.state), withMessage(String(device.state)));
  }
}

/** The page's title: the port's name (or its device path, before the port list is known) and the pill's label. */
export function pageTitle(portName: string | null, view: StatusView): string {
  return portName ? `${portName} · ${view.label} — serialdeck` : 'serialdeck';
}
