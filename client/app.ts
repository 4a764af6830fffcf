// Builds the page: console, connection, toolbar, port picker, downloads and input, wired together.
// Nothing here runs at import time; main.ts calls createApp(document, window).start().
import type { CaptureStatus, PortSummary } from '../server/wire/api.js';
import {
  PROTOCOL_VERSION,
  type DeviceStatus,
  type KeyboardCommand,
  type LineEnding,
  type PortCommand,
  type ServerMessage,
  type StreamMode,
  type WhoEntry,
  type WritersMode,
} from '../server/wire/protocol.js';
import { roleAllows, type Role } from '../server/wire/roles.js';
import { browserSocketFactory } from './connection/browser-socket.js';
import { ticketSource } from './connection/tickets.js';
import { Connection, type ConnectionState } from './connection/connection.js';
import { StreamTracker } from './connection/flow-control.js';
import { fetchPortList } from './connection/port-list.js';
import { PortStreams } from './connection/port-streams.js';
import { RequestLedger } from './connection/request-ledger.js';
import { webSocketUrl } from './connection/ws-url.js';
import { resumedMessage, skippedMessage, STREAM_RESTARTED_MESSAGE } from './console/notices.js';
import { bindSearchBox } from './console/search-box.js';
import { skippedEntry, skippedNotice } from './console/skipped-ranges.js';
import { createConsole } from './console/terminal.js';
import { InlineWrites } from './console/inline-writes.js';
import { chunkItems, SendQueue, type SendItem, type SendOutcome, type SendProgress } from './connection/send-queue.js';
import { deviceEventNotice } from './console/device-events.js';
import { bindDownloadMenu } from './controls/download-menu.js';
import { LineHistory } from './controls/history.js';
import { encodeLine } from './controls/line-ending.js';
import { parseHexLine } from './controls/hex-line.js';
import { bindLineInput } from './controls/line-input.js';
import { portOptions } from './controls/port-options.js';
import { bindPortPicker } from './controls/port-picker.js';
import { isWriteRefusal, RefusedLineWatch } from './controls/refused-line.js';
import { bindSerialSettings } from './controls/serial-settings.js';
import { hashForPort, portFromHash, resolveRoute } from './controls/port-route.js';
import { bindToolbar } from './controls/toolbar.js';
import { bindKeyboardControl } from './controls/keyboard-control.js';
import { keyboardNotice, keyboardView, type KeyboardStateLike } from './controls/keyboard-view.js';
import { bindRoleControls } from './controls/role-controls.js';
import { loadDisplayName } from './controls/who-format.js';
import { bindWhoList } from './controls/who-list.js';
import { bindCaptureWarning } from './ui/capture-warning.js';
import { bindDeviceCard } from './ui/device-card.js';
import { deviceProblem } from './ui/device-problem.js';
import { byId } from './ui/dom.js';
import { createNotifier } from './ui/notifier.js';
import { bindPageSettings } from './ui/page-settings.js';
import { loadPreferences, savePreferences, type InputMode, type Preferences } from './ui/preferences.js';
import { bindSendProgress, formatBytes } from './ui/send-progress.js';
import { bindSkippedList } from './ui/skipped-list.js';
import { bannerText, describeStatus, pageTitle, type StatusView } from './ui/status.js';
import { safeStore, type KeyValueStore } from './ui/storage.js';
import { bindPageTheme } from './ui/theme.js';
import { browserTimers, type TimerHandle } from './ui/timers.js';
import { bindConsoleViews } from './views/console-views.js';
import { bindDataViews } from './views/data-views.js';

/** How often the "reconnecting in Ns" countdown is redrawn, in ms. */
const COUNTDOWN_TICK_MS = 250;
/** How the page is fed: live, so a tab that falls behind skips ahead (and offers the skipped range) rather than lagging. */
const PAGE_STREAM_MODE: StreamMode = 'live';
/** A file is sent in frames of this many bytes: small enough that Stop stops within a frame at slow baud rates. */
const FILE_CHUNK_BYTES = 1024;
/** Largest file the page sends, in bytes: the server's write queue holds 4 MiB; more is a mistake on a serial line. */
const MAX_SEND_FILE_BYTES = 16 * 1024 * 1024;

/**
 * The debug handle at `window.serialdeck`, for end-to-end tests and curious people at the console.
 * `readScreen`: all console text (scrollback + screen), one device line per line, joined by "\n".
 * `offset`: stream offset of the next byte expected. `state`: the status pill's state (see PillState).
 * `port`: id of the port shown ('' until known).
 */
export interface SerialdeckDebug {
  readScreen(): string;
  offset(): number;
  state(): string;
  readOnly(): boolean;
  mode(): InputMode;
  port(): string;
  /** This page's role on the port shown, its name there, and who holds the keyboard ('' when nobody does or the port is shared). */
  role(): Role;
  name(): string;
  keyboardHolder(): string;
}

declare global {
  interface Window {
    serialdeck?: SerialdeckDebug;
  }
}

/** The running page. */
export interface App {
  /** Installs `window.serialdeck`, picks the port from the URL, connects, and puts focus where typing goes. */
  start(): void;
  /** Closes the socket and releases the console. */
  dispose(): void;
  readonly debug: SerialdeckDebug;
}

/** Builds the app over the markup of index.html in `doc`; `view` is the page's window. */
export function createApp(doc: Document, view: Window): App {
  const timers = browserTimers();
  const pageOpenedMs = timers.now();
  const store = safeStore(localStorageOf(view));
  const prefs = loadPreferences(store);
  const history = new LineHistory(store);
  const notifier = createNotifier(doc, timers);
  const screen = createConsole(byId(doc, 'terminal', HTMLElement), view);
  const inlineWrites = new InlineWrites(screen, prefs.showWrites);
  const terminal = screen.terminal;
  const utf8 = new TextEncoder();
  const requests = new RequestLedger();
  const refusedLines = new RefusedLineWatch();

  let connectionState: ConnectionState = { kind: 'connecting', attempt: 0 };
  let device: DeviceStatus | null = null;
  /** The last device status seen for the port shown, kept across reconnects (device events compare against it). */
  let lastDevice: DeviceStatus | null = null;
  /** The port shown was open at some point while this page watched it (a later open is a reconnect). */
  let deviceWasOpen = false;
  let capture: CaptureStatus | null = null;
  let ports: PortSummary[] = [];
  let readOnly = false;
  /** Who this page is on the port shown (from hello), who else is here, and the keyboard of a single-writer port. */
  let role: Role = 'admin';
  let helloName: string | undefined;
  let me: string | null = null;
  let writers: WritersMode = 'shared';
  let people: WhoEntry[] = [];
  let keyboard: KeyboardStateLike | null = null;
  let disposed = false;
  let status: StatusView = describeStatus(connectionState, device, readOnly, timers.now());
  let countdown: TimerHandle | null = null;

  const tracker = new StreamTracker({
    sendAck: (offset) => connection.sendMessage({ type: 'ack', offset }),
    timers,
  });
  const streams = new PortStreams(tracker, null);
  const connection = new Connection({
    url: () => webSocketUrl(view.location.href, { ...streams.target(PAGE_STREAM_MODE), name: loadDisplayName(store) }),
    resumeOffset: () => tracker.resumeOffset(),
    createSocket: browserSocketFactory(ticketSource(view.location.href, (url, init) => fetch(url, init))),
    timers,
    random: Math.random,
    events: {
      onState(state) {
        connectionState = state;
        if (state.kind !== 'connected') {
          tracker.stop();
          requests.clear(); // answers to a lost connection's commands never come
          refusedLines.clear();
          toolbar.showClients(null); // a count from a lost connection would be stale
          forgetPeople();
        }
        render();
      },
      onMessage: handleMessage,
      onBytes(bytes) {
        const offset = tracker.offset();
        consoleViews.bytes(offset, bytes);
        inlineWrites.bytes(offset, bytes, tracker.receive(bytes.length));
      },
      onBadFrame(error) {
        console.warn(`serialdeck: ignored a control message from the server: ${error}`);
      },
    },
  });

  function handleMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'hello': {
        // Another stream id means the capture was dropped: say so, don't merge old and new output silently.
        if (streams.hello(message.port, message.stream)) screen.writeNotice(STREAM_RESTARTED_MESSAGE);
        tracker.start(message.offset);
        inlineWrites.start(message.port, message.offset);
        // Same server, newer build (upgraded and restarted under an open tab): this page's code is stale.
        if (message.protocol !== PROTOCOL_VERSION) {
          notifier.toast(`The server speaks protocol ${message.protocol}, this page ${PROTOCOL_VERSION}: reload the page.`, 'error');
        }
        readOnly = message.readOnly;
        // A server from before roles says only whether this page may write.
        role = message.role ?? (message.readOnly ? 'viewer' : 'admin');
        helloName = message.name;
        me = message.client ?? null;
        writers = message.writers ?? 'shared';
        device = message.device;
        noteDevice(message.device);
        capture = message.capture;
        toolbar.showClients(message.clients);
        if (portFromHash(view.location.hash) !== message.port) replaceHash(message.port);
        downloads.setPort(message.port);
        dataViews.setPort(message.port);
        consoleViews.setPort(message.port);
        break;
      }
      case 'status':
        device = message.device;
        noteDevice(message.device);
        break;
      case 'capture':
        capture = message.capture;
        break;
      case 'ports':
        ports = message.ports;
        break;
      case 'skipped': {
        // Always after a hello, so the port is known; the notice's write callback must run either way (it acks).
        const port = streams.port();
        const entry = port === null ? null : skippedEntry(port, message, capture);
        screen.writeNotice(entry ? skippedNotice(entry) : skippedMessage(message.bytes, message.reason), tracker.skipTo(message.offset));
        if (entry) skipped.add(entry);
        break;
      }
      case 'clients':
        toolbar.showClients(message.count);
        break;
      case 'wrote':
        inlineWrites.add(message);
        break;
      case 'who':
        people = message.people;
        who.show(people, me, helloName, timers.now());
        break;
      case 'keyboard':
        keyboard = { holder: message.holder, requests: message.requests };
        if (message.change) screen.writeNotice(keyboardNotice(message.change));
        break;
      case 'result': {
        const outcome = requests.settle(message);
        if (outcome) notifier.toast(outcome.text, outcome.tone);
        break;
      }
      case 'error': {
        // A refusal while a paste or file goes out ends it; its own toast says how far it got.
        if (sendQueue.active() && isWriteRefusal(message.code)) {
          sendQueue.refused(message.message);
          break;
        }
        // A line refused right after it went out comes back into the input (bug 5).
        const line = refusedLines.refused(message.code, timers.now());
        const back = line !== null && lineInput.restore([line]);
        notifier.toast(back ? `Not sent: ${message.message}. The line is back in the input.` : message.message, 'error');
        break;
      }
    }
    render();
  }

  /** Writes a device event into the console (tio's "disconnected", "reconnected at 115200 8N1"); page-local, not stream bytes. */
  function noteDevice(next: DeviceStatus): void {
    const notice = deviceEventNotice(lastDevice, next, deviceWasOpen);
    if (notice !== null) screen.writeNotice(notice);
    if (next.state === 'open') deviceWasOpen = true;
    lastDevice = next;
  }

  /** May this page change the port (baud, framing, signals, reset, release)? Admins only, not tied to the keyboard. */
  function controllable(): boolean {
    return connectionState.kind === 'connected' && roleAllows(role, 'control');
  }

  /** What the keyboard control shows (null: a shared port, or not connected). */
  function currentKeyboardView() {
    if (connectionState.kind !== 'connected') return null;
    return keyboardView({ writers, state: keyboard, me, role, people });
  }

  /** Why typing is off on a single-writer port whose keyboard someone else holds (null: this page may type). */
  function keyboardBlock(): string | null {
    return currentKeyboardView()?.blocked ?? null;
  }

  /** Forgets who was here and the keyboard (the connection dropped, or another port). */
  function forgetPeople(): void {
    people = [];
    keyboard = null;
    me = null;
    who.clear();
  }

  function sendKeyboard(command: KeyboardCommand, what: string): void {
    sendCommand(command, what);
  }

  /** True when this page may type now; otherwise tells the person why not (read-only, or another holds the keyboard). */
  function mayType(): boolean {
    if (readOnly) {
      notifier.toast('This port is read-only: typing is disabled.', 'error');
      return false;
    }
    const blocked = keyboardBlock();
    if (blocked !== null) {
      notifier.toast(`Not sent: ${blocked}.`, 'error');
      return false;
    }
    return true;
  }

  /** Sends bytes typed by the person; tells them when it could not. */
  function sendInput(bytes: Uint8Array): boolean {
    if (!mayType()) return false;
    if (!connection.sendBytes(bytes)) {
      notifier.toast(
        connectionState.kind === 'connected' ? 'Too much input is still queued; not sent.' : 'Not connected; not sent.',
        'error',
      );
      return false;
    }
    return true;
  }

  /** Sends `command` with an id; its answer (a refusal, or `done` when accepted) comes back to this tab alone. */
  function sendCommand(command: PortCommand | KeyboardCommand, what: string, done?: string): void {
    const id = requests.register(what, done);
    if (!connection.sendMessage({ ...command, id })) {
      requests.cancel(id);
      notifier.toast('Not connected; try again once the console reconnects.', 'error');
    }
  }

  /** Shows port `id`: keeps where this port was left, clears the console, and connects to `id` (resuming where it was left). */
  function switchPort(id: string): void {
    if (id === streams.port()) return;
    const back = streams.switchTo(id);
    const summary = ports.find((p) => p.id === id);
    device = null; // the pill says "connecting…" until this port's hello; the picker shows its listed state meanwhile
    lastDevice = null;
    deviceWasOpen = false;
    capture = summary?.capture ?? null;
    requests.clear();
    refusedLines.clear();
    forgetPeople();
    sendQueue.stop(); // a paste or file meant for the other port must not go on here
    skipped.clear();
    screen.reset();
    if (back) screen.writeNotice(resumedMessage(summary?.name ?? id, back.offset));
    downloads.setPort(id);
    dataViews.setPort(id);
    connection.reconnectNow();
    render();
  }

  /** The port the URL leads to (null: none known, the first port's `ws` will say), after fixing the URL and saying why. */
  function portFromUrl(): string | null {
    const route = resolveRoute(view.location.hash, ports);
    if (route.notice) notifier.toast(route.notice, 'error');
    if (route.replaceHash) view.history.replaceState(view.history.state, '', route.replaceHash);
    return route.id;
  }

  /** Follows the URL's `#/<id>` (a pick, back/forward, an edited URL); an unknown id falls back to the first port. */
  function followHash(): void {
    const id = portFromUrl();
    if (id !== null) switchPort(id);
  }

  function replaceHash(id: string): void {
    view.history.replaceState(view.history.state, '', hashForPort(id));
  }

  function currentName(): string | null {
    const id = streams.port();
    return ports.find((p) => p.id === id)?.name ?? id ?? device?.path ?? null;
  }

  function render(): void {
    const previous = status;
    status = describeStatus(connectionState, device, readOnly, timers.now());
    toolbar.showStatus(status);
    toolbar.showDevice(device);
    toolbar.setDeviceControlsEnabled(controllable());
    serial.showDevice(device);
    serial.setEnabled(controllable());
    roleControls.apply(role);
    const keyboardShown = currentKeyboardView();
    keyboardControl.show(keyboardShown);
    deviceCard.show(connectionState.kind === 'connected' ? deviceProblem(device) : null);
    const id = streams.port();
    picker.show(portOptions(ports, id === null ? null : { id, device, capture }), id);
    captureWarning.show(capture);
    lineInput.setReadOnly(readOnly);
    lineInput.setBlocked(keyboardShown?.blocked ?? null);
    terminal.options.disableStdin = readOnly || keyboardShown?.blocked != null;
    notifier.banner(bannerText(status));
    doc.title = pageTitle(currentName(), status);
    if (previous.state !== status.state || previous.readOnly !== status.readOnly) {
      notifier.announce(`Status: ${status.detail}${status.readOnly ? ' (read-only)' : ''}`);
    }
    if (countdown !== null) timers.clearTimeout(countdown);
    countdown = connectionState.kind === 'retrying' ? timers.setTimeout(render, COUNTDOWN_TICK_MS) : null;
  }

  function focusTyping(): void {
    if (prefs.mode === 'raw') terminal.focus();
    else lineInput.focus();
  }

  function applyMode(mode: InputMode): void {
    prefs.mode = mode;
    savePreferences(store, prefs);
    lineInput.setMode(mode);
    screen.setRawMode(mode === 'raw');
  }

  /** The bytes a typed line stands for: its text and the line ending, or in hex mode the bytes it spells; null (said in a toast) when it spells none. */
  function lineBytes(line: string, index: number, count: number): Uint8Array | null {
    if (!prefs.hexInput) return encodeLine(line, prefs.lineEnding);
    const parsed = parseHexLine(line);
    if ('bytes' in parsed) return parsed.bytes;
    notifier.toast(`Not sent: ${count > 1 ? `line ${index + 1}: ` : ''}${parsed.error}.`, 'error');
    return null;
  }

  /** Sends several lines, one frame each, through the send queue (the server paces them); progress and Stop in the strip. */
  function sendLineBatch(lines: string[]): boolean {
    const encoded = lines.map((line, i) => lineBytes(line, i, lines.length));
    if (encoded.some((bytes) => bytes === null)) return false; // nothing goes out unless every line can
    const items: SendItem[] = encoded.map((bytes) => ({ bytes: bytes! }));
    let echoed = 0;
    return startSend(items, {
      label: (p) => `Sending line ${Math.min(p.items + 1, p.totalItems)} of ${p.totalItems}`,
      progress(p) {
        if (prefs.localEcho) for (; echoed < p.items; echoed++) screen.writeLocalEcho(lines[echoed] ?? '');
      },
      finished(outcome, p) {
        const rest = lines.slice(p.items);
        const back = rest.length > 0 && lineInput.restore(rest);
        const kept = back ? ` The ${rest.length} unsent ${rest.length === 1 ? 'line is' : 'lines are'} back in the input.` : '';
        if (outcome.kind === 'done') notifier.toast(`Sent ${p.totalItems} lines.`);
        else notifier.toast(`${sendOutcomeText(outcome)} after ${p.items} of ${p.totalItems} lines.${kept}`, 'error');
      },
    });
  }

  /** Sends `file` to the device in FILE_CHUNK_BYTES frames, paced; progress and Stop in the strip. */
  async function sendFile(file: File): Promise<void> {
    if (readOnly) return notifier.toast('This port is read-only: sending is disabled.', 'error');
    if (file.size > MAX_SEND_FILE_BYTES) {
      return notifier.toast(`${file.name} is ${formatBytes(file.size)}; the page sends files up to ${formatBytes(MAX_SEND_FILE_BYTES)}.`, 'error');
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    startSend(chunkItems(bytes, FILE_CHUNK_BYTES), {
      label: (p) => `Sending ${file.name}: ${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}`,
      progress() {},
      finished(outcome, p) {
        if (outcome.kind === 'done') notifier.toast(`Sent ${file.name} (${formatBytes(p.totalBytes)}).`);
        else notifier.toast(`${sendOutcomeText(outcome)}: ${formatBytes(p.bytes)} of ${file.name} had gone out.`, 'error');
      },
    });
  }

  /** Runs one send job with the progress strip; false (a toast says why) when one is already running or input is refused. */
  function startSend(
    items: SendItem[],
    job: {
      label(progress: SendProgress): string;
      progress(progress: SendProgress): void;
      finished(outcome: SendOutcome, progress: SendProgress): void;
    },
  ): boolean {
    if (!mayType()) return false;
    if (sendQueue.active()) {
      notifier.toast('Something is still being sent: wait for it or press Stop.', 'error');
      return false;
    }
    const show = (p: SendProgress): void => progress.show(job.label(p), p.totalBytes === 0 ? 1 : p.bytes / p.totalBytes);
    return sendQueue.start(items, {
      progress(p) {
        show(p);
        job.progress(p);
      },
      finished(outcome, p) {
        progress.hide();
        job.finished(outcome, p);
      },
    });
  }

  function sendOutcomeText(outcome: SendOutcome): string {
    switch (outcome.kind) {
      case 'done':
        return 'Sent';
      case 'stopped':
        return 'Stopped';
      case 'refused':
        return `Refused (${outcome.reason})`;
      case 'lost':
        return 'Connection lost';
    }
  }

  /** Copies the whole console (scrollback and screen) as text. */
  function copyAll(): void {
    const text = screen.readScreen();
    copyText(text).then(
      (ok) => notifier.toast(ok ? `Copied ${text.split('\n').length} lines.` : 'Could not copy: the browser refused the clipboard.', ok ? 'info' : 'error'),
      () => notifier.toast('Could not copy: the browser refused the clipboard.', 'error'),
    );
  }

  /**
   * Puts `text` on the clipboard. The async Clipboard API exists only in secure contexts (https or
   * localhost); a LAN page over http falls back to a hidden textarea and execCommand('copy'), which
   * browsers still allow during a click.
   */
  async function copyText(text: string): Promise<boolean> {
    if (view.isSecureContext && view.navigator.clipboard) {
      await view.navigator.clipboard.writeText(text);
      return true;
    }
    const area = doc.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'visually-hidden';
    doc.body.append(area);
    area.select();
    const ok = doc.execCommand('copy');
    area.remove();
    return ok;
  }

  /** Saves what the console shows as a text file (the capture download has the exact bytes). */
  function saveScreen(): void {
    const blob = new Blob([screen.readScreen() + '\n'], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = doc.createElement('a');
    link.href = url;
    link.download = `${currentName() ?? 'serialdeck'}-console-${new Date(timers.now()).toISOString().replace(/[:.]/g, '-')}.txt`;
    doc.body.append(link);
    link.click();
    link.remove();
    timers.setTimeout(() => URL.revokeObjectURL(url), 60_000); // after the browser has read it
  }

  /** Copies the console's selection (Ctrl+Shift+C): the browser's copy command, which xterm's copy handler fills. */
  function copySelection(): void {
    if (!terminal.hasSelection()) return;
    if (!doc.execCommand('copy')) void copyText(terminal.getSelection());
  }

  const toolbar = bindToolbar(doc, {
    setBaud: (baudRate) => sendCommand({ type: 'set-baud', baudRate }, `Baud rate ${baudRate}`),
    otherBaud() {
      toolbar.openSettings();
      serial.focusBaud();
    },
    setMode(mode) {
      applyMode(mode);
      focusTyping();
    },
    setLineEnding(ending: LineEnding) {
      prefs.lineEnding = ending;
      savePreferences(store, prefs);
    },
    openSearch: () => search.open(terminal.getSelection()),
    clear() {
      screen.clear();
      focusTyping();
    },
    reconnect: () => connection.reconnectNow(),
    resetBoard: () => sendCommand({ type: 'reset' }, 'Reset', 'Reset pulse sent (DTR/RTS).'),
    reopenDevice: () => sendCommand({ type: 'reopen' }, 'Reopen', 'Device reopened.'),
    setPacing: (charDelayMs, lineDelayMs) => sendCommand({ type: 'set-pacing', charDelayMs, lineDelayMs }, 'Write pacing'),
    setSignals: (signals) => sendCommand({ type: 'set-signals', ...signals }, 'Modem lines'),
  });

  const serial = bindSerialSettings(doc, {
    setBaud: (baudRate) => sendCommand({ type: 'set-baud', baudRate }, `Baud rate ${baudRate}`),
    setFraming: (change) => sendCommand({ type: 'set-framing', ...change }, 'Framing'),
    sendBreak: () => sendCommand({ type: 'send-break' }, 'Break', 'Break sent.'),
    release: (forMs) => sendCommand({ type: 'release', forMs }, 'Release for flashing'),
    reclaim: () => sendCommand({ type: 'reclaim' }, 'Reclaim'),
  });
  const deviceCard = bindDeviceCard(doc, () => sendCommand({ type: 'reclaim' }, 'Reclaim'));
  const roleControls = bindRoleControls(doc);
  const keyboardControl = bindKeyboardControl(doc, {
    request: () => sendKeyboard({ type: 'keyboard-request' }, 'Asking for the keyboard'),
    release: () => sendKeyboard({ type: 'keyboard-release' }, 'Releasing the keyboard'),
    grant: (to) => sendKeyboard({ type: 'keyboard-grant', to }, 'Handing over the keyboard'),
    take: () => sendKeyboard({ type: 'keyboard-take' }, 'Taking the keyboard'),
  });
  const who = bindWhoList(doc, store, {
    renamed: (name) => {
      notifier.toast(name === '' ? 'You go by "anonymous" now.' : `Others see you as "${name} (anonymous)" now.`);
      connection.reconnectNow(); // the server takes the name from the WebSocket's address
    },
  });
  const sendQueue = new SendQueue({
    send: (bytes) => connection.sendBytes(bytes),
    bufferedAmount: () => connection.bufferedAmount(),
    rate: () => device,
    timers,
  });
  const progress = bindSendProgress(doc, () => sendQueue.stop());
  const theme = bindPageTheme(doc, view, (light) => screen.setLightTheme(light));
  /** A setting's handler: keep the new value in the saved preferences, then apply it. */
  const remembered =
    <K extends keyof Preferences>(key: K, apply: (value: Preferences[K]) => void) =>
    (value: Preferences[K]): void => {
      prefs[key] = value;
      savePreferences(store, prefs);
      apply(value);
    };
  bindPageSettings(doc, prefs, {
    setTheme: remembered('theme', (choice) => theme.set(choice)),
    setFontSize: remembered('fontSizePx', (px) => screen.setFontSize(px)),
    setScreenReader: remembered('screenReader', (on) => screen.setScreenReader(on)),
    setShowWrites: remembered('showWrites', (on) => {
      inlineWrites.setEnabled(on);
      consoleViews.setShowWrites(on); // the Lines view shows them too
    }),
  });

  const picker = bindPortPicker(doc, (id) => {
    view.location.hash = hashForPort(id); // a history entry, so Back returns to the previous port; hashchange switches
  });
  const downloads = bindDownloadMenu(
    doc,
    pageOpenedMs,
    (format) => {
      prefs.downloadFormat = format;
      savePreferences(store, prefs);
    },
    { copyAll, saveScreen },
  );
  const skipped = bindSkippedList(doc);
  const dataViews = bindDataViews(doc, view, store, timers);
  const consoleViews = bindConsoleViews(doc, view, store, timers, () => tracker.offset(), prefs.showWrites);
  const captureWarning = bindCaptureWarning(doc);

  const lineInput = bindLineInput(doc, history, {
    sendLines(lines) {
      terminal.scrollToBottom();
      if (lines.length > 1) return sendLineBatch(lines);
      const line = lines[0] ?? '';
      if (sendQueue.active()) {
        notifier.toast('Something is still being sent: wait for it or press Stop.', 'error');
        return false;
      }
      const bytes = lineBytes(line, 0, 1);
      if (bytes === null || !sendInput(bytes)) return false;
      refusedLines.sent(line, timers.now());
      if (prefs.localEcho) screen.writeLocalEcho(line);
      return true;
    },
    setLocalEcho(on) {
      prefs.localEcho = on;
      savePreferences(store, prefs);
    },
    setHexInput(on) {
      prefs.hexInput = on;
      savePreferences(store, prefs);
    },
  });

  const search = bindSearchBox(doc, screen.search, focusTyping);

  // Keys typed into the console. Raw mode sends them as typed (Ctrl+C is 0x03); line mode moves
  // printable text into the input box, and drops the terminal's replies to device queries. Pastes
  // do not come this way in line mode: see onPaste.
  terminal.onData((data) => {
    if (prefs.mode === 'raw') {
      if (!readOnly) sendInput(utf8.encode(data));
    } else if (!/[\x00-\x1f\x7f]/.test(data)) {
      lineInput.insertText(data);
    } else if (data === '\r') {
      lineInput.focus();
    }
  });
  terminal.onBinary((data) => {
    if (prefs.mode === 'raw' && !readOnly) sendInput(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff));
  });
  // Copy and paste as terminal users expect (bug 3), tio-like in raw mode. Returning false keeps a key
  // from xterm, so the browser's own copy or paste runs (xterm's copy handler fills the clipboard with
  // the selection; a paste arrives as a paste event). The raw-mode hint in index.html lists these keys.
  terminal.attachCustomKeyEventHandler((event) => {
    if (event.type !== 'keydown') return true;
    const key = event.key.toLowerCase();
    const ctrl = event.ctrlKey && !event.altKey && !event.metaKey;
    // Ctrl+Shift+C copies the selection, in both modes; it never reaches the device.
    if (ctrl && event.shiftKey && key === 'c') {
      event.preventDefault();
      copySelection();
      return false;
    }
    // Ctrl+C (Cmd+C) copies while text is selected; without a selection raw mode sends 0x03.
    if ((ctrl || event.metaKey) && !event.shiftKey && key === 'c' && terminal.hasSelection()) return false;
    // Ctrl+Shift+V pastes in both modes; Ctrl+V pastes in line mode, and in raw mode sends 0x16 (as tio).
    if (ctrl && key === 'v' && (event.shiftKey || prefs.mode === 'line')) return false;
    // Tab leaves the console in line mode (nothing to complete there); raw mode sends it to the device.
    if (prefs.mode === 'line' && event.key === 'Tab') return false;
    // Ctrl+] leaves the console in raw mode, where every other key belongs to the device.
    if (event.ctrlKey && event.key === ']') {
      event.preventDefault();
      toolbar.focusFirstControl();
      return false;
    }
    return true;
  });

  // Find: Ctrl+Shift+F everywhere; Ctrl+F too, except in raw mode with the console focused, where it goes to the device.
  const onGlobalKey = (event: KeyboardEvent): void => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== 'f') return;
    const inConsole = terminal.element?.contains(doc.activeElement) ?? false;
    if (!event.shiftKey && prefs.mode === 'raw' && inConsole) return;
    event.preventDefault();
    event.stopPropagation();
    search.open(terminal.getSelection());
  };
  // A paste into the console in line mode goes to the line input, line breaks kept, never dropped
  // (bug 2: onData drops control characters, so xterm's paste of "a\rb" vanished). Raw mode lets xterm
  // paste as typed (newlines as CR, bracketed when the device asked for it).
  const onPaste = (event: ClipboardEvent): void => {
    if (prefs.mode !== 'line') return;
    event.preventDefault();
    event.stopPropagation();
    const text = event.clipboardData?.getData('text/plain') ?? '';
    if (text === '') return;
    if (readOnly) notifier.toast('This port is read-only: typing is disabled.', 'error');
    else lineInput.insertText(text);
  };
  const terminalHost = byId(doc, 'terminal', HTMLElement);
  terminalHost.addEventListener('paste', onPaste, { capture: true });

  // "New output below — jump to live" while the console is scrolled up.
  const jumpLive = byId(doc, 'jump-live', HTMLButtonElement);
  const jumpLiveText = byId(doc, 'jump-live-text', HTMLElement);
  screen.onLiveChange((scrolledUp, newOutput) => {
    jumpLive.hidden = !scrolledUp;
    jumpLiveText.textContent = newOutput ? 'New output below — jump to live' : 'Jump to live';
  });
  jumpLive.addEventListener('click', () => {
    screen.scrollToLive();
    focusTyping();
  });
  const sendFileInput = byId(doc, 'send-file', HTMLInputElement);
  sendFileInput.addEventListener('change', () => {
    const file = sendFileInput.files?.[0];
    sendFileInput.value = ''; // the same file can be chosen again
    if (file) void sendFile(file);
  });
  const onOnline = (): void => {
    if (connectionState.kind === 'retrying') connection.reconnectNow();
  };

  const debug: SerialdeckDebug = {
    readScreen: () => screen.readScreen(),
    offset: () => tracker.offset(),
    state: () => status.state,
    readOnly: () => readOnly,
    mode: () => prefs.mode,
    port: () => streams.port() ?? '',
    role: () => role,
    name: () => helloName ?? '',
    keyboardHolder: () => keyboard?.holder?.name ?? '',
  };

  /** Picks the first port from the URL and the server's list, then connects and follows the URL from then on. */
  async function connectFirst(): Promise<void> {
    const listed = await fetchPortList(view.location.href, (url, init) => view.fetch(url, init));
    if (disposed) return;
    if (listed !== null) ports = listed;
    view.addEventListener('hashchange', followHash);
    const id = portFromUrl();
    if (id !== null) switchPort(id); // connects
    else connection.start(); // no list and no hash: the first port's `ws`, whose hello names the port
  }

  return {
    debug,
    start() {
      theme.set(prefs.theme);
      screen.setFontSize(prefs.fontSizePx);
      screen.setScreenReader(prefs.screenReader);
      toolbar.showPreferences(prefs);
      downloads.setFormat(prefs.downloadFormat);
      lineInput.setLocalEcho(prefs.localEcho);
      lineInput.setHexInput(prefs.hexInput);
      applyMode(prefs.mode);
      render();
      view.addEventListener('keydown', onGlobalKey, { capture: true });
      view.addEventListener('online', onOnline);
      view.serialdeck = debug;
      void connectFirst();
      focusTyping();
    },
    dispose() {
      disposed = true;
      sendQueue.stop();
      theme.dispose();
      terminalHost.removeEventListener('paste', onPaste, { capture: true });
      view.removeEventListener('keydown', onGlobalKey, { capture: true });
      view.removeEventListener('online', onOnline);
      view.removeEventListener('hashchange', followHash);
      if (countdown !== null) timers.clearTimeout(countdown);
      connection.stop();
      tracker.stop();
      dataViews.dispose();
      consoleViews.dispose();
      screen.dispose();
      if (view.serialdeck === debug) delete view.serialdeck;
    },
  };
}

/** The page's localStorage, or null where touching it throws (storage disabled, sandboxed frames). */
function localStorageOf(view: Window): KeyValueStore | null {
  try {
    return view.localStorage;
  } catch {
    return null;
  }
}
