// The Settings panel's serial port fields: any baud rate typed (not only the presets), the framing
// (data bits, parity, stop bits, flow control), Send break, and Release for flashing / Reclaim.
import {
  DATA_BITS,
  DEFAULT_RELEASE_MS,
  FLOW_CONTROLS,
  MAX_BAUD_RATE,
  PARITIES,
  STOP_BITS,
  type Framing,
} from '../../server/wire/limits.js';
import { COMMON_BAUD_RATES, type DeviceStatus } from '../../server/wire/protocol.js';
import { byId } from '../ui/dom.js';

/** What the serial fields ask the app to do. */
export interface SerialSettingsActions {
  setBaud(baudRate: number): void;
  setFraming(change: Partial<Framing>): void;
  sendBreak(): void;
  release(forMs: number): void;
  reclaim(): void;
}

/** The fields as the app drives them. */
export interface SerialSettings {
  /** Shows the settings in force (null: not known yet). */
  showDevice(device: DeviceStatus | null): void;
  /** Enables or disables every field that changes the device (off when read-only or disconnected). */
  setEnabled(enabled: boolean): void;
  /** Focuses the baud rate field (after "Other…" in the toolbar's list). */
  focusBaud(): void;
}

/** Labels of the flow control choices, with the lines they use. */
const FLOW_LABELS: Readonly<Record<(typeof FLOW_CONTROLS)[number], string>> = {
  none: 'None',
  hard: 'RTS/CTS',
  soft: 'XON/XOFF',
};

/** How long a release may last, as offered (ms): an upload takes seconds; a debugging session with another tool, minutes. */
export const RELEASE_CHOICES_MS = [30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000] as const;

/** `ms` as a short duration: 30 s, 1 min, 30 min. */
export function durationLabel(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

/** A typed baud rate, or null when it is not one the server accepts (a whole number from 1 to MAX_BAUD_RATE). */
export function parseBaud(text: string): number | null {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_BAUD_RATE ? value : null;
}

/** Binds #baud-custom, #data-bits, #parity, #stop-bits, #flow, #send-break, #release-for, #release and #reclaim. */
export function bindSerialSettings(doc: Document, actions: SerialSettingsActions): SerialSettings {
  const baud = byId(doc, 'baud-custom', HTMLInputElement);
  const presets = byId(doc, 'baud-presets', HTMLDataListElement);
  const framingFields = byId(doc, 'framing-fields', HTMLElement);
  const dataBits = byId(doc, 'data-bits', HTMLSelectElement);
  const parity = byId(doc, 'parity', HTMLSelectElement);
  const stopBits = byId(doc, 'stop-bits', HTMLSelectElement);
  const flow = byId(doc, 'flow', HTMLSelectElement);
  const sendBreak = byId(doc, 'send-break', HTMLButtonElement);
  const releaseFor = byId(doc, 'release-for', HTMLSelectElement);
  const release = byId(doc, 'release', HTMLButtonElement);
  const reclaim = byId(doc, 'reclaim', HTMLButtonElement);
  let enabled = false;
  let device: DeviceStatus | null = null;

  baud.max = String(MAX_BAUD_RATE);
  presets.replaceChildren(...COMMON_BAUD_RATES.map((rate) => new Option(String(rate), String(rate))));
  dataBits.replaceChildren(...DATA_BITS.map((n) => new Option(String(n), String(n))));
  parity.replaceChildren(...PARITIES.map((p) => new Option(p[0]?.toUpperCase() + p.slice(1), p)));
  stopBits.replaceChildren(...STOP_BITS.map((n) => new Option(String(n), String(n))));
  flow.replaceChildren(...FLOW_CONTROLS.map((f) => new Option(FLOW_LABELS[f], f)));
  releaseFor.replaceChildren(...RELEASE_CHOICES_MS.map((ms) => new Option(durationLabel(ms), String(ms))));
  releaseFor.value = String(DEFAULT_RELEASE_MS);

  const applyBaud = (): void => {
    const value = parseBaud(baud.value);
    baud.setCustomValidity(value === null ? `a whole number from 1 to ${MAX_BAUD_RATE}` : '');
    if (value === null) baud.reportValidity();
    else if (value !== device?.baudRate) actions.setBaud(value);
  };
  baud.addEventListener('change', applyBaud);
  baud.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      applyBaud();
    }
  });
  dataBits.addEventListener('change', () => actions.setFraming({ dataBits: Number(dataBits.value) as Framing['dataBits'] }));
  parity.addEventListener('change', () => actions.setFraming({ parity: parity.value as Framing['parity'] }));
  stopBits.addEventListener('change', () => actions.setFraming({ stopBits: Number(stopBits.value) as Framing['stopBits'] }));
  flow.addEventListener('change', () => actions.setFraming({ flow: flow.value as Framing['flow'] }));
  sendBreak.addEventListener('click', () => actions.sendBreak());
  release.addEventListener('click', () => actions.release(Number(releaseFor.value)));
  reclaim.addEventListener('click', () => actions.reclaim());

  const render = (): void => {
    const open = device?.state === 'open';
    const released = device?.state === 'released';
    // A server from before framing existed sends no dataBits: it cannot change them, so hide the fields.
    const hasFraming = device?.dataBits !== undefined;
    framingFields.hidden = device !== null && !hasFraming;
    for (const field of [baud, dataBits, parity, stopBits, flow]) field.disabled = !enabled || device === null;
    const noSignals = device?.signals === 'unsupported';
    sendBreak.disabled = !enabled || !open || noSignals;
    sendBreak.title = noSignals ? 'Not available: this device has no modem control (a pty?)' : 'Hold the transmit line low for 250 ms';
    release.disabled = releaseFor.disabled = !enabled || released || device === null;
    reclaim.hidden = !released;
    reclaim.disabled = !enabled;
  };

  return {
    showDevice(next) {
      device = next;
      if (next) {
        if (doc.activeElement !== baud) baud.value = String(next.baudRate);
        if (next.dataBits !== undefined) dataBits.value = String(next.dataBits);
        if (next.parity !== undefined) parity.value = next.parity;
        if (next.stopBits !== undefined) stopBits.value = String(next.stopBits);
        if (next.flow !== undefined) flow.value = next.flow;
      }
      render();
    },
    setEnabled(on) {
      enabled = on;
      render();
    },
    focusBaud() {
      baud.focus();
      baud.select();
    },
  };
}
