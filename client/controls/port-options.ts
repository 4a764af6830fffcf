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
  /** A fleet console's remote port: the node serving it; null for this server's own ports. */
  node: string | null;
  /** Whether the port's server is reachable: always true for this server's own ports. */
  online: boolean;
}

/** A group of the picker: this server's own ports (node null), or one node's. */
export interface PortGroup {
  node: string | null;
  /** The group's heading: `This server`, or the node's name and whether it is online. */
  label: string;
  options: PortOption[];
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
    const online = port.online !== false;
    // A port whose node is offline says so, not the state its device had (the device's state is unknown).
    const stateWord = online ? PORT_STATE_LABELS[state] : 'offline';
    const showState = !isLive && (state !== 'open' || !online);
    const words = [port.name, ...(showState ? [stateWord] : []), ...(capturePaused ? ['capture paused'] : [])];
    const node = port.node ?? null;
    const where = node === null ? '' : ` on ${node}`;
    const detail = [
      `${port.name} (${device.path}${where}): ${PORT_STATE_LABELS[state]}${device.message ? `: ${device.message}` : ''}`,
      ...(capturePaused ? [`capture paused${capture.reason ? `: ${capture.reason}` : ''}`] : []),
    ].join('; ');
    const tone = online ? stateTone(state) : 'idle';
    return { id: port.id, name: port.name, state, tone, capturePaused, label: words.join(' · '), detail, node, online };
  });
}

/**
 * The picker's groups: this server's own ports first (in the server's order), then each node's, by
 * node name, headed `<node> · online` or `<node> · offline` (offline when none of its ports is
 * reachable). Only one group, the server's own: the picker shows no headings (a server without a fleet).
 */
export function portGroups(options: readonly PortOption[]): PortGroup[] {
  const local = options.filter((o) => o.node === null);
  const nodes = [...new Set(options.flatMap((o) => (o.node === null ? [] : [o.node])))].sort((a, b) => a.localeCompare(b));
  const groups: PortGroup[] = local.length > 0 ? [{ node: null, label: 'This server', options: local }] : [];
  for (const node of nodes) {
    const members = options.filter((o) => o.node === node);
    groups.push({ node, label: `${node} · ${members.some((o) => o.online) ? 'online' : 'offline'}`, options: members });
  }
  return groups;
}
