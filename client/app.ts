// Builds the page: console, connection, toolbar, port picker, downloads and input, wired together.
// Nothing here runs at import time; main.ts calls createApp(document, window).start().
import type { CaptureStatus, PortSummary } from '../server/wire/api.js';
import {
  PROTOCOL_VERSION,
  type DeviceStatus,
  type LineEnding,
  type PortCommand,
  type ServerMessage,
  type StreamMode,
} from '../server/wire/protocol.js';
import { browserSocketFactory } from './connection/browser-socket.js';
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
import { bindDownloadMenu } from './controls/download-menu.js';
import { LineHistory } from './controls/history.js';
import { encodeLine } from './controls/line-ending.js';
import { bindLineInput } from './controls/line-input.js';
import { portOptions } from './controls/port-options.js';
import { bindPortPicker } from './controls/port-picker.js';
import { hashForPort, portFromHash, resolveRoute } from './controls/port-route.js';
import { bindToolbar } from './controls/toolbar.js';
import { bindCaptureWarning } from './ui/capture-warning.js';
import { byId } from './ui/dom.js';
import { createNotifier } from './ui/notifier.js';
import { loadPreferences, savePreferences, type InputMode } from './ui/preferences.js';
import { bindSkippedList } from './ui/skipped-list.js';
import { bannerText, describeStatus, pageTitle, type StatusView } from './ui/status.js';
import { safeStore, type KeyValueStore } from './ui/storage.js';
import { browserTimers, type TimerHandle } from './ui/timers.js';

/** How often the "reconnecting in Ns" countdown is redrawn, in ms. */
const COUNTDOWN_TICK_MS = 250;
/** How the page is fed: live, so a tab that falls behind skips ahead (and offers the skipped range) rather than lagging. */
const PAGE_STREAM_MODE: StreamMode = 'live';

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
  const terminal = screen.terminal;
  const utf8 = new TextEncoder();
  const requests = new RequestLedger();

  let connectionState: ConnectionState = { kind: 'connecting', attempt: 0 };
  let device: DeviceStatus | null = null;
  let capture: CaptureStatus | null = null;
  let ports: PortSummary[] = [];
  let readOnly = false;
  let disposed = false;
  let status: StatusView = describeStatus(connectionState, device, readOnly, timers.now());
  let countdown: TimerHandle | null = null;

  const tracker = new StreamTracker({
    sendAck: (offset) => connection.sendMessage({ type: 'ack', offset }),
    timers,
  });
  const streams = new PortStreams(tracker, null);
  const connection = new Connection({
    url: () => webSocketUrl(view.location.href, streams.target(PAGE_STREAM_MODE)),
    resumeOffset: () => tracker.resumeOffset(),
    createSocket: browserSocketFactory(),
    timers,
    random: Math.random,
    events: {
      onState(state) {
        connectionState = state;
        if (state.kind !== 'connected') {
          tracker.stop();
          requests.clear(); // answers to a lost connection's commands never come
          toolbar.showClients(null); // a count from a lost connection would be stale
        }
        render();
      },
      onMessage: handleMessage,
      onBytes(bytes) {
        screen.writeBytes(bytes, tracker.receive(bytes.length));
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
        // Same server, newer build (upgraded and restarted under an open tab): this page's code is stale.
        if (message.protocol !== PROTOCOL_VERSION) {
          notifier.toast(`The server speaks protocol ${message.protocol}, this page ${PROTOCOL_VERSION}: reload the page.`, 'error');
        }
        readOnly = message.readOnly;
        device = message.device;
        capture = message.capture;
        toolbar.showClients(message.clients);
        if (portFromHash(view.location.hash) !== message.port) replaceHash(message.port);
        downloads.setPort(message.port);
        break;
      }
      case 'status':
        device = message.device;
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
      case 'result': {
        const outcome = requests.settle(message);
        if (outcome) notifier.toast(outcome.text, outcome.tone);
        break;
      }
      case 'error':
        notifier.toast(message.message, 'error');
        break;
    }
    render();
  }

  function writable(): boolean {
    return connectionState.kind === 'connected' && !readOnly;
  }

  /** Sends bytes typed by the person; tells them when it could not. */
  function sendInput(bytes: Uint8Array): boolean {
    if (readOnly) {
      notifier.toast('This port is read-only: typing is disabled.', 'error');
      return false;
    }
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
  function sendCommand(command: PortCommand, what: string, done?: string): void {
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
    capture = summary?.capture ?? null;
    requests.clear();
    skipped.clear();
    screen.reset();
    if (back) screen.writeNotice(resumedMessage(summary?.name ?? id, back.offset));
    downloads.setPort(id);
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
    toolbar.setDeviceControlsEnabled(writable());
    const id = streams.port();
    picker.show(portOptions(ports, id === null ? null : { id, device, capture }), id);
    captureWarning.show(capture);
    lineInput.setReadOnly(readOnly);
    terminal.options.disableStdin = readOnly;
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

  const toolbar = bindToolbar(doc, {
    setBaud: (baudRate) => sendCommand({ type: 'set-baud', baudRate }, `Baud rate ${baudRate}`),
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

  const picker = bindPortPicker(doc, (id) => {
    view.location.hash = hashForPort(id); // a history entry, so Back returns to the previous port; hashchange switches
  });
  const downloads = bindDownloadMenu(doc, pageOpenedMs, (format) => {
    prefs.downloadFormat = format;
    savePreferences(store, prefs);
  });
  const skipped = bindSkippedList(doc);
  const captureWarning = bindCaptureWarning(doc);

  const lineInput = bindLineInput(doc, history, {
    sendLine(line) {
      if (!sendInput(encodeLine(line, prefs.lineEnding))) return false;
      if (prefs.localEcho) screen.writeLocalEcho(line);
      terminal.scrollToBottom();
      return true;
    },
    setLocalEcho(on) {
      prefs.localEcho = on;
      savePreferences(store, prefs);
    },
  });

  const search = bindSearchBox(doc, screen.search, focusTyping);

  // Keys typed into the console. Raw mode sends them as typed (Ctrl+C is 0x03); line mode moves
  // printable text into the input box, and drops the terminal's replies to device queries.
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
  terminal.attachCustomKeyEventHandler((event) => {
    if (event.type !== 'keydown') return true;
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

  const onGlobalKey = (event: KeyboardEvent): void => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'f') {
      event.preventDefault();
      event.stopPropagation();
      search.open(terminal.getSelection());
    }
  };
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
      toolbar.showPreferences(prefs);
      downloads.setFormat(prefs.downloadFormat);
      lineInput.setLocalEcho(prefs.localEcho);
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
      view.removeEventListener('keydown', onGlobalKey, { capture: true });
      view.removeEventListener('online', onOnline);
      view.removeEventListener('hashchange', followHash);
      if (countdown !== null) timers.clearTimeout(countdown);
      connection.stop();
      tracker.stop();
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
