// Builds the page: console, connection, toolbar, input and find bar, wired together. Nothing here
// runs at import time; main.ts calls createApp(document, window).start().
import {
  PROTOCOL_VERSION,
  type ClientMessage,
  type DeviceStatus,
  type LineEnding,
  type ServerMessage,
} from '../server/wire/protocol.js';
import { browserSocketFactory } from './connection/browser-socket.js';
import { Connection, type ConnectionState } from './connection/connection.js';
import { byId } from './ui/dom.js';
import { StreamTracker } from './connection/flow-control.js';
import { LineHistory } from './controls/history.js';
import { encodeLine } from './controls/line-ending.js';
import { bindLineInput } from './controls/line-input.js';
import { createNotifier } from './ui/notifier.js';
import { skippedMessage, STREAM_RESTARTED_MESSAGE } from './console/notices.js';
import { loadPreferences, savePreferences, type InputMode } from './ui/preferences.js';
import { bindSearchBox } from './console/search-box.js';
import { bannerText, describeStatus, type StatusView } from './ui/status.js';
import { safeStore, type KeyValueStore } from './ui/storage.js';
import { createConsole } from './console/terminal.js';
import { browserTimers, type TimerHandle } from './ui/timers.js';
import { bindToolbar } from './controls/toolbar.js';
import { webSocketUrl } from './connection/ws-url.js';

/** How often the "reconnecting in Ns" countdown is redrawn, in ms. */
const COUNTDOWN_TICK_MS = 250;

/**
 * The debug handle at `window.serialdeck`, for end-to-end tests and curious people at the console.
 * `readScreen`: all console text (scrollback + screen), one device line per line, joined by "\n".
 * `offset`: stream offset of the next byte expected. `state`: the status pill's state (see PillState).
 */
export interface SerialdeckDebug {
  readScreen(): string;
  offset(): number;
  state(): string;
  readOnly(): boolean;
  mode(): InputMode;
}

declare global {
  interface Window {
    serialdeck?: SerialdeckDebug;
  }
}

/** The running page. */
export interface App {
  /** Connects, puts focus where typing goes, and installs `window.serialdeck`. */
  start(): void;
  /** Closes the socket and releases the console. */
  dispose(): void;
  readonly debug: SerialdeckDebug;
}

/** Builds the app over the markup of index.html in `doc`; `view` is the page's window. */
export function createApp(doc: Document, view: Window): App {
  const timers = browserTimers();
  const store = safeStore(localStorageOf(view));
  const prefs = loadPreferences(store);
  const history = new LineHistory(store);
  const notifier = createNotifier(doc, timers);
  const screen = createConsole(byId(doc, 'terminal', HTMLElement), view);
  const terminal = screen.terminal;
  const utf8 = new TextEncoder();

  let connectionState: ConnectionState = { kind: 'connecting', attempt: 0 };
  let device: DeviceStatus | null = null;
  let streamId: string | null = null; // the server stream our offsets belong to (from hello)
  let readOnly = false;
  let status: StatusView = describeStatus(connectionState, device, readOnly, timers.now());
  let countdown: TimerHandle | null = null;

  const tracker = new StreamTracker({
    sendAck: (offset) => connection.sendMessage({ type: 'ack', offset }),
    timers,
  });
  const connection = new Connection({
    url: (offset) => webSocketUrl(view.location.href, offset, streamId),
    resumeOffset: () => tracker.resumeOffset(),
    createSocket: browserSocketFactory(),
    timers,
    random: Math.random,
    events: {
      onState(state) {
        connectionState = state;
        if (state.kind !== 'connected') {
          tracker.stop();
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
        const resumeFrom = tracker.resumeOffset();
        // Another stream id means the server restarted: say so, don't merge old and new output silently.
        if (resumeFrom !== null && message.stream !== streamId) screen.writeNotice(STREAM_RESTARTED_MESSAGE);
        streamId = message.stream;
        tracker.start(message.offset);
        // Same server, newer build (upgraded and restarted under an open tab): this page's code is stale.
        if (message.protocol !== PROTOCOL_VERSION) {
          notifier.toast(`The server speaks protocol ${message.protocol}, this page ${PROTOCOL_VERSION}: reload the page.`, 'error');
        }
        readOnly = message.readOnly;
        device = message.device;
        toolbar.showClients(message.clients);
        break;
      }
      case 'status':
        device = message.device;
        break;
      case 'skipped':
        screen.writeNotice(skippedMessage(message.bytes, message.reason), tracker.skipTo(message.offset));
        break;
      case 'clients':
        toolbar.showClients(message.count);
        break;
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
      notifier.toast('This server is read-only: typing is disabled.', 'error');
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

  function sendControl(message: ClientMessage, done?: string): void {
    if (!connection.sendMessage(message)) notifier.toast('Not connected; try again once the console reconnects.', 'error');
    else if (done) notifier.toast(done);
  }

  function render(): void {
    const previous = status;
    status = describeStatus(connectionState, device, readOnly, timers.now());
    toolbar.showStatus(status);
    toolbar.showDevice(device);
    toolbar.setDeviceControlsEnabled(writable());
    lineInput.setReadOnly(readOnly);
    terminal.options.disableStdin = readOnly;
    notifier.banner(bannerText(status));
    doc.title = device ? `${device.path} · ${status.label} — serialdeck` : 'serialdeck';
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
    setBaud: (baudRate) => sendControl({ type: 'set-baud', baudRate }),
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
    resetBoard: () => sendControl({ type: 'reset' }, 'Reset pulse sent (DTR/RTS).'),
    reopenDevice: () => sendControl({ type: 'reopen' }, 'Reopening the device…'),
    setPacing: (charDelayMs, lineDelayMs) => sendControl({ type: 'set-pacing', charDelayMs, lineDelayMs }),
    setSignals: (signals) => sendControl({ type: 'set-signals', ...signals }),
  });

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
  };

  return {
    debug,
    start() {
      toolbar.showPreferences(prefs);
      lineInput.setLocalEcho(prefs.localEcho);
      applyMode(prefs.mode);
      render();
      view.addEventListener('keydown', onGlobalKey, { capture: true });
      view.addEventListener('online', onOnline);
      view.serialdeck = debug;
      connection.start();
      focusTyping();
    },
    dispose() {
      view.removeEventListener('keydown', onGlobalKey, { capture: true });
      view.removeEventListener('online', onOnline);
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
