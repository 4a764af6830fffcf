// The toolbar: shows connection and device state, and turns control clicks into app actions.
import { MAX_PACING_DELAY_MS } from '../../server/wire/limits.js';
import { COMMON_BAUD_RATES, type DeviceStatus, type LineEnding } from '../../server/wire/protocol.js';
import { framingLabel } from '../ui/device-problem.js';
import { byId } from '../ui/dom.js';
import { isLineEnding } from './line-ending.js';
import { isInputMode, type InputMode, type Preferences } from '../ui/preferences.js';
import type { StatusView } from '../ui/status.js';
import { dismissMenuOn } from '../ui/menu-dismiss.js';

/** What the toolbar's controls ask the app to do. */
export interface ToolbarActions {
  setBaud(baudRate: number): void;
  /** "Other…" in the baud list: the person wants to type a rate (the Settings panel has the field). */
  otherBaud(): void;
  setMode(mode: InputMode): void;
  setLineEnding(ending: LineEnding): void;
  openSearch(): void;
  clear(): void;
  reconnect(): void;
  resetBoard(): void;
  reopenDevice(): void;
  setPacing(charDelayMs: number, lineDelayMs: number): void;
  setSignals(signals: { dtr?: boolean; rts?: boolean }): void;
}

/** What the app tells the toolbar to show. */
export interface Toolbar {
  showStatus(view: StatusView): void;
  /** Device path, baud, pacing and modem lines from the last status (null: not known yet). */
  showDevice(device: DeviceStatus | null): void;
  showClients(count: number | null): void;
  showPreferences(prefs: Preferences): void;
  /** Enables or disables the controls that change the device (off when read-only or disconnected). */
  setDeviceControlsEnabled(enabled: boolean): void;
  /** Puts keyboard focus on the first toolbar control (the way out of the console in raw mode). */
  focusFirstControl(): void;
  /** Opens the Settings panel (and with it the serial port's fields). */
  openSettings(): void;
}

/** Binds the toolbar markup in `doc` to `actions`. */
export function bindToolbar(doc: Document, actions: ToolbarActions): Toolbar {
  const status = byId(doc, 'status', HTMLElement);
  const statusText = byId(doc, 'status-text', HTMLElement);
  const devicePath = byId(doc, 'device', HTMLElement);
  const readOnlyBadge = byId(doc, 'read-only-badge', HTMLElement);
  const clients = byId(doc, 'clients', HTMLElement);
  const baud = byId(doc, 'baud', HTMLSelectElement);
  const mode = byId(doc, 'mode', HTMLSelectElement);
  const lineEnding = byId(doc, 'line-ending', HTMLSelectElement);
  const charDelay = byId(doc, 'char-delay', HTMLInputElement);
  const lineDelay = byId(doc, 'line-delay', HTMLInputElement);
  const dtr = byId(doc, 'dtr', HTMLInputElement);
  const rts = byId(doc, 'rts', HTMLInputElement);
  const framing = byId(doc, 'framing', HTMLElement);
  const reset = byId(doc, 'reset', HTMLButtonElement);
  const deviceControls: Array<HTMLSelectElement | HTMLButtonElement | HTMLInputElement> = [
    baud,
    reset,
    byId(doc, 'reopen', HTMLButtonElement),
    charDelay,
    lineDelay,
  ];
  let controlsEnabled = false;
  let lastDevice: DeviceStatus | null = null;

  fillBaudOptions(baud, null);
  charDelay.max = lineDelay.max = String(MAX_PACING_DELAY_MS);

  baud.addEventListener('change', () => {
    if (baud.value === OTHER_BAUD) {
      // Back to the rate in force until the typed one is applied (and confirmed by the next status).
      fillBaudOptions(baud, lastDevice?.baudRate ?? null);
      actions.otherBaud();
      return;
    }
    const value = Number(baud.value);
    if (Number.isSafeInteger(value) && value > 0) actions.setBaud(value);
  });
  mode.addEventListener('change', () => {
    if (isInputMode(mode.value)) actions.setMode(mode.value);
  });
  lineEnding.addEventListener('change', () => {
    if (isLineEnding(lineEnding.value)) actions.setLineEnding(lineEnding.value);
  });
  byId(doc, 'search-open', HTMLButtonElement).addEventListener('click', () => actions.openSearch());
  byId(doc, 'clear', HTMLButtonElement).addEventListener('click', () => actions.clear());
  byId(doc, 'reconnect', HTMLButtonElement).addEventListener('click', () => actions.reconnect());
  byId(doc, 'reset', HTMLButtonElement).addEventListener('click', () => actions.resetBoard());
  byId(doc, 'reopen', HTMLButtonElement).addEventListener('click', () => actions.reopenDevice());
  const pacingChanged = (): void => {
    const chars = parseDelay(charDelay.value);
    const lines = parseDelay(lineDelay.value);
    charDelay.setCustomValidity(chars === null ? `0 to ${MAX_PACING_DELAY_MS} ms` : '');
    lineDelay.setCustomValidity(lines === null ? `0 to ${MAX_PACING_DELAY_MS} ms` : '');
    if (chars !== null && lines !== null) actions.setPacing(chars, lines);
  };
  charDelay.addEventListener('change', pacingChanged);
  lineDelay.addEventListener('change', pacingChanged);
  dtr.addEventListener('change', () => actions.setSignals({ dtr: dtr.checked }));
  rts.addEventListener('change', () => actions.setSignals({ rts: rts.checked }));

  const settings = byId(doc, 'settings', HTMLDetailsElement);
  dismissMenuOn(doc, {
    container: settings,
    opener: settings.querySelector('summary') ?? settings,
    isOpen: () => settings.open,
    close: () => (settings.open = false),
  });

  // "Reset board" pulses DTR/RTS: pointless where the device has none (a pty, some adapters).
  const showReset = (): void => {
    const unsupported = lastDevice?.signals === 'unsupported';
    reset.disabled = !controlsEnabled || unsupported;
    reset.title = unsupported ? 'Reset board: not available, this device has no DTR/RTS lines' : 'Reset the board: pulse DTR/RTS low';
  };

  const showSignal = (box: HTMLInputElement, value: boolean | null | undefined): void => {
    const supported = typeof value === 'boolean';
    box.checked = value === true;
    box.indeterminate = !supported;
    box.disabled = !controlsEnabled || !supported;
    box.title = supported ? '' : 'Not available on this device';
  };

  return {
    showStatus(view) {
      status.dataset.state = view.state;
      status.dataset.tone = view.tone;
      status.title = view.detail;
      if (statusText.textContent !== view.label) statusText.textContent = view.label;
      readOnlyBadge.hidden = !view.readOnly;
    },
    showDevice(device) {
      lastDevice = device;
      devicePath.textContent = device ? device.path : '—';
      devicePath.title = device ? `Serial device ${device.path}` : 'Serial device';
      if (device && doc.activeElement !== baud) fillBaudOptions(baud, device.baudRate);
      if (device && doc.activeElement !== charDelay) charDelay.value = String(device.charDelayMs);
      if (device && doc.activeElement !== lineDelay) lineDelay.value = String(device.lineDelayMs);
      showSignal(dtr, device?.dtr);
      showSignal(rts, device?.rts);
      framing.hidden = device === null;
      const label = device ? framingLabel(device) : '';
      if (framing.textContent !== label) framing.textContent = label;
      showReset();
    },
    showClients(count) {
      const text = count === null ? '' : String(count);
      const label = count === null ? 'connected pages unknown' : `${count} ${count === 1 ? 'page' : 'pages'} connected`;
      clients.hidden = count === null;
      const number = clients.querySelector('[data-count]');
      const described = clients.querySelector('[data-label]');
      if (number) number.textContent = text;
      if (described) described.textContent = label;
      clients.title = label;
    },
    showPreferences(prefs) {
      mode.value = prefs.mode;
      lineEnding.value = prefs.lineEnding;
    },
    setDeviceControlsEnabled(enabled) {
      controlsEnabled = enabled;
      for (const control of deviceControls) control.disabled = !enabled;
      showSignal(dtr, lastDevice?.dtr);
      showSignal(rts, lastDevice?.rts);
      showReset();
    },
    focusFirstControl() {
      baud.focus();
    },
    openSettings() {
      settings.open = true;
    },
  };
}

/** Value of the baud list's last entry, "Other…", which leads to a field where any rate can be typed. */
const OTHER_BAUD = 'other';

/** Fills the baud selector with the common rates plus `current` when it is not one of them, then "Other…", and selects `current`. */
function fillBaudOptions(select: HTMLSelectElement, current: number | null): void {
  const rates: number[] = [...COMMON_BAUD_RATES];
  if (current !== null && !rates.includes(current)) rates.push(current);
  rates.sort((a, b) => a - b);
  // Until the first status arrives the rate is unknown: show a dash rather than a guess.
  const wanted = [...(current === null ? ['', ...rates.map(String)] : rates.map(String)), OTHER_BAUD];
  const have = Array.from(select.options, (o) => o.value);
  if (wanted.join() !== have.join()) {
    const label = (rate: string): string => (rate === '' ? '—' : rate === OTHER_BAUD ? 'Other…' : rate);
    select.replaceChildren(...wanted.map((rate) => new Option(label(rate), rate)));
  }
  select.value = current === null ? '' : String(current);
}

function parseDelay(text: string): number | null {
  const value = Number(text);
  return text.trim() !== '' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_PACING_DELAY_MS ? value : null;
}
