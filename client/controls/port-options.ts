// What the port picker shows for each port: its name, its state where it adds to the pill, its tone, and a
// capture-paused marker.
// Pure, so the picker's text can be tested without a page; port-picker.ts puts it into the <select>.
import type { CaptureStatus, PortSummary } from '../../server/wire/api.js';
import type { DeviceState, DeviceStatus } from '../../server/wire/protocol.js';
import type { PillTone } from '../ui/status.js';

/** One entry of the picker. `label` is the option's text (a native <select> cannot colour parts of it). */
export interface PortOption {
  id: string;
  name: string;
  state: DeviceState;
  tone: PillTone;
  capturePaused: boolean;
  label: string;
  /** Longer text for the tooltip: device path and any message. */
  detail: string;
}

/** Short words for each device state, as the picker and page title show them. */
export const PORT_STATE_LABELS: Readonly<Record<DeviceState, string>> = {
  opening: 'opening',
  open: 'open',
  waiting: 'waiting',
  closed: 'closed',
  restarting: 'restarting',
  released: 'released for flashing',
};

/** Colour family of a device state: the same as the status pill's (open green, closed grey, the rest amber). */
export function stateTone(state: DeviceState): PillTone {
  if (state === 'open') return 'ok';
  if (state === 'closed') return 'idle';
  return 'pending';
}

/** What this page knows newer than the last `ports` list about the port it shows (its own status and capture messages). */
export interface LiveOverride {
  id: string;
  device: DeviceStatus | null;
  capture: CaptureStatus | null;
}

/**
 * The picker's entries for `ports`, in the server's order; `live` replaces the listed state of the port shown.
 * A label is the port's name, then only what adds to it: another port's state when it is not open (the shown
 * port's state is in the status pill beside the picker), and "capture paused". The tooltip has everything.
 */
export function portOptions(ports: readonly PortSummary[], live: LiveOverride | null = null): PortOption[] {
  return ports.map((port) => {
    const isLive = live !== null && live.id === port.id;
    const device = (isLive && live.device) || port.device;
    const capture = (isLive && live.capture) || port.capture;
    const state = PORT_STATE_LABELS[device.state] === undefined ? 'closed' : device.state;
    const capturePaused = capture.state === 'paused';
    const showState = !isLive && state !== 'open';
    const words = [port.name, ...(showState ? [PORT_STATE_LABELS[state]] : []), ...(capturePaused ? ['capture paused'] : [])];
    const detail = [
      `${port.name} (${device.path}): ${PORT_STATE_LABELS[state]}${device.message ? `: ${device.message}` : ''}`,
      ...(capturePaused ? [`capture paused${capture.reason ? `: ${capture.reason}` : ''}`] : []),
    ].join('; ');
    return { id: port.id, name: port.name, state, tone: stateTone(state), capturePaused, label: words.join(' · '), detail };
  });
}
