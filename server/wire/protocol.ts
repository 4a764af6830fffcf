// The browser wire protocol, written once: the server and the client both import this module,
// so it must not import anything from `node:`. docs/protocol.md documents it for script authors;
// test/unit/protocol.test.ts pins it.
//
// Binary WebSocket frames carry raw serial bytes, exactly, in both directions.
// Text frames carry one JSON object each, with a `type` field, as typed below.
import type { CaptureStatus, CommandErrorCode, PortSummary, WriteNote } from './api.js';
import type { Role } from './roles.js';
import {
  checkBaudRate,
  checkBreakMs,
  checkDataBits,
  checkFlow,
  checkPacingDelay,
  checkParity,
  checkReleaseMs,
  checkResetMs,
  checkStopBits,
  type DataBits,
  type FlowControl,
  type Framing,
  type Parity,
  type StopBits,
} from './limits.js';

export type { DataBits, FlowControl, Framing, Parity, StopBits } from './limits.js';

/** Version of this protocol; sent in `hello` and bumped on any incompatible change. */
export const PROTOCOL_VERSION = 2;

/**
 * The first port's WebSocket path (kept from before several ports, so scripts keep working); every
 * port also has its own, wsPathFor(id). Query: `offset=N&stream=ID` resumes stream ID at byte offset N
 * (offsets are durable: they name the same bytes after a server restart); `mode=live|lossless`.
 */
export const WS_PATH = '/ws';

/** The WebSocket path of port `id`. */
export function wsPathFor(id: string): string {
  return `${WS_PATH}/${encodeURIComponent(id)}`;
}

/**
 * How a client is fed when it falls behind. `lossless` (the default): never skipped while the
 * capture holds the bytes; it lags, and is fed from disk. `live`: skipped ahead to the newest
 * output once it falls out of the memory ring, with a `skipped` notice (the page's choice).
 */
export type StreamMode = 'lossless' | 'live';
/** Every StreamMode, for validating the `mode` query parameter. */
export const STREAM_MODES: readonly StreamMode[] = ['lossless', 'live'];

/** Largest text (control) frame the server accepts, in bytes; control messages are tiny. */
export const MAX_CONTROL_BYTES = 4096;

/** Largest binary frame (bytes to write to the device) the server accepts: a generous paste. */
export const MAX_WRITE_FRAME_BYTES = 1024 * 1024; // 1 MiB

/** Longest name a token-less page may give itself (`?name=` on the WebSocket URL), in characters: a first name and an initial, not an essay. */
export const MAX_DISPLAY_NAME_CHARS = 32;

/**
 * A name a page gave itself, made safe to show everyone: control and format characters and anything
 * but letters, digits, spaces and `.-_@'` dropped, spaces collapsed, cut to MAX_DISPLAY_NAME_CHARS.
 * '' when nothing is left. The server applies it to `?name=`; the page to what it stores.
 */
export function cleanDisplayName(text: string): string {
  const kept = text.normalize('NFC').replace(/[^\p{L}\p{M}\p{N} .\-_@']/gu, ' ').replace(/\s+/g, ' ').trim();
  return [...kept].slice(0, MAX_DISPLAY_NAME_CHARS).join('').trim();
}

/** Who may type on a port: `shared`, every operator; `single`, only whoever holds the keyboard (see the `keyboard` message). */
export type WritersMode = 'shared' | 'single';
/** Every WritersMode, for validating config. */
export const WRITERS_MODES: readonly WritersMode[] = ['shared', 'single'];

/** One connection to a port, as the `who` message lists it. */
export interface WhoEntry {
  /** This connection's id on the port (`keyboard-grant` names it); a new one on every connection. */
  id: string;
  /** A token's name, `admin` for --token, or a token-less page's own name as `bob (anonymous)`. */
  name: string;
  role: Role;
  /** When it connected, in ms since the epoch. */
  since: number;
  /** Present (true) on the connection that holds the keyboard (single-writer ports). */
  holdsKeyboard?: true;
}

/** Someone in the keyboard's state: a connection's id and name. */
export interface KeyboardSeat {
  id: string;
  name: string;
}

/**
 * What changed hands, for the console's notice. `took`: `by` took a free keyboard (asked, or typed first);
 * `asked`: `by` asked for it; `withdrew`: `by` no longer asks; `handed`: the holder `by` handed it `to`;
 * `released`: the holder `by` let go (to the first who asked, `to`, or nobody); `forced`: the admin `by`
 * took it from `from`; `left`: the holder `by` disconnected (it went `to` the first who asked, or nobody).
 */
export interface KeyboardChange {
  kind: 'took' | 'asked' | 'withdrew' | 'handed' | 'released' | 'forced' | 'left';
  by: string;
  to?: string;
  from?: string;
}

/** WebSocket close codes the server uses; the client decides from them whether to reconnect. */
export const CloseCode = {
  /** Server shutting down: reconnect with backoff. */
  goingAway: 1001,
  /** Missing or wrong token, or a forbidden Origin: do not reconnect without new credentials. */
  policyViolation: 1008,
  /** A frame was larger than the server accepts. */
  tooBig: 1009,
  /** Too many clients are connected: try again later. */
  tryAgainLater: 1013,
} as const;

/** Line endings the client can append in line mode, and the bytes they stand for. */
export const LINE_ENDINGS = { none: '', lf: '\n', cr: '\r', crlf: '\r\n' } as const;
/** A key of LINE_ENDINGS. */
export type LineEnding = keyof typeof LINE_ENDINGS;

/** Standard baud rates offered in the UI; any positive integer is accepted on the wire. */
export const COMMON_BAUD_RATES = [
  300, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 74880, 115200, 230400, 250000, 460800, 500000,
  921600, 1000000, 2000000,
] as const;

/**
 * What the serial side is doing. `waiting`: the device is missing or was unplugged; it is reopened when it reappears.
 * `released`: closed on request so another program (avrdude, esptool) can flash the board; reopened at
 * `releasedUntilMs`, on `reclaim`, or (after that time) when the device reappears.
 */
export type DeviceState = 'opening' | 'open' | 'waiting' | 'closed' | 'restarting' | 'released';

/**
 * Whether the device has modem lines: `available` (DTR/RTS were set; reset and break can work),
 * `unsupported` (a pty, or the driver refused the ioctl: the page should disable "Reset board";
 * dtr/rts are null), `unknown` (not open yet, so not known).
 */
export type SignalSupport = 'available' | 'unsupported' | 'unknown';

/** Everything a client needs to show about the device. Sent whole on every change. */
export interface DeviceStatus {
  state: DeviceState;
  /** Device path as given (`demo` for the built-in demo board). */
  path: string;
  baudRate: number;
  /** Modem output lines as last set, or null where the device refuses them (a pty) or is not open. */
  dtr: boolean | null;
  rts: boolean | null;
  /** Write pacing: delay after each byte and after each line ending, in milliseconds (tio's -o / -O). */
  charDelayMs: number;
  lineDelayMs: number;
  /** Human-readable detail: why it is waiting, the last error, until when it is released. */
  message?: string;
  // The fields below are always sent by this server; they are optional in the type only so that a page
  // or script keeps working against a server from before they existed.
  /** Data bits per character (5..8). */
  dataBits?: DataBits;
  parity?: Parity;
  stopBits?: StopBits;
  /** `hard`: RTS/CTS; `soft`: XON/XOFF; `none`. */
  flow?: FlowControl;
  /** Speed and framing as one label, as tio and the page show it: `115200 8N1`, `9600 7E2 RTS/CTS` (see describeFraming). */
  framing?: string;
  /** Whether the modem lines (DTR/RTS, and with them reset and break) work on this device. */
  signals?: SignalSupport;
  /** While `state` is `released`: when serialdeck takes the device back, in ms since the epoch. */
  releasedUntilMs?: number;
}

/** Parity as one letter, as in 8N1: None, Odd, Even, Mark, Space. */
const PARITY_LETTER: Readonly<Record<Parity, string>> = { none: 'N', odd: 'O', even: 'E', mark: 'M', space: 'S' };

/**
 * The label for a speed and framing, as tio and the page show it: `115200 8N1`, with ` RTS/CTS` or
 * ` XON/XOFF` after it when flow control is on. Missing framing fields read as 8N1 without flow control.
 */
export function describeFraming(settings: { baudRate: number } & Partial<Framing>): string {
  const { baudRate, dataBits = 8, parity = 'none', stopBits = 1, flow = 'none' } = settings;
  const flowLabel = flow === 'hard' ? ' RTS/CTS' : flow === 'soft' ? ' XON/XOFF' : '';
  return `${baudRate} ${dataBits}${PARITY_LETTER[parity]}${stopBits}${flowLabel}`;
}

/** Server → client control messages. */
export type ServerMessage =
  | {
      /** First message on every connection. Binary frames that follow start at stream offset `offset`. */
      type: 'hello';
      protocol: number;
      /** The port's id (see GET /api/ports). */
      port: string;
      /** Identifies the port's stream; it survives restarts while the capture is kept. Offsets from another stream mean nothing here. */
      stream: string;
      offset: number;
      mode: StreamMode;
      /** True when this client may not write (a viewer, or --read-only). */
      readOnly: boolean;
      /** Who this client is (a token's name, `admin` for --token, `anonymous`) and its role on this port. Absent from servers before roles. */
      name?: string;
      role?: Role;
      /** This connection's id in the `who` list. Absent from servers before the who-list. */
      client?: string;
      /** Whether everyone with the operator role types (`shared`) or one holder of the keyboard (`single`). Absent: shared. */
      writers?: WritersMode;
      device: DeviceStatus;
      capture: CaptureStatus;
      clients: number;
    }
  | { type: 'status'; device: DeviceStatus }
  | {
      /** `bytes` of the stream were not delivered to this client; the stream continues at `offset`. */
      type: 'skipped';
      bytes: number;
      offset: number;
      /**
       * slow-client: a live client fell behind its window (memory, or a scrollback from the end); not-buffered: older than anything kept;
       * not-captured: the capture was paused (disk full) while these bytes passed; lost: never
       * written to disk before a crash of the server.
       */
      reason: SkipReason;
    }
  | { type: 'clients'; count: number }
  /** Everyone connected to this port: after hello and on every change (a join, a leave, the keyboard changing hands). */
  | { type: 'who'; people: WhoEntry[] }
  | {
      /** A single-writer port's keyboard: after hello and on every change, to everyone; `change` says what just happened. */
      type: 'keyboard';
      holder: KeyboardSeat | null;
      /** Who asked for it, first first. */
      requests: KeyboardSeat[];
      change?: KeyboardChange;
    }
  | {
      /** The answer to a control message that carried `id`; only its sender gets it. */
      type: 'result';
      id: number;
      ok: boolean;
      code?: CommandErrorCode;
      message?: string;
      written?: number;
    }
  | { type: 'capture'; capture: CaptureStatus }
  /**
   * A write to the port, to everyone watching it (viewers too, as conserver shows who typed what):
   * shown after the output before `offset`, as `name> text`, when the page's "show writes" is on.
   */
  | ({ type: 'wrote' } & WriteNote)
  /** Every served port this client may watch: after hello, then whenever one is added or changes state (for the page's picker). */
  | { type: 'ports'; ports: PortSummary[] }
  | { type: 'error'; code: ErrorCode; message: string };

/** Why bytes were not delivered; see the `skipped` message. */
export type SkipReason = 'slow-client' | 'not-buffered' | 'not-captured' | 'lost';

/** Machine-readable error codes in `error` messages. */
export type ErrorCode =
  | 'bad-message' // text frame that is not a valid control message
  | 'too-big' // frame over the size limit
  | CommandErrorCode; // a write or command refused or failed (sent only to its sender)

/** Client → server control messages. */
export type ClientMessage =
  | {
      /** Bytes up to `offset` have been rendered; the server keeps at most a window of un-acked bytes in flight. */
      type: 'ack';
      offset: number;
    }
  | KeyboardCommand
  | PortCommand;

/**
 * A single-writer port's keyboard (see docs/protocol.md): ask for it (taken at once when free), let go of
 * it or withdraw the request, hand it to connection `to` (the holder only), or take it by force (admins).
 * With `id`, the sender gets a `result`.
 */
export type KeyboardCommand = (
  | { type: 'keyboard-request' }
  | { type: 'keyboard-release' }
  | { type: 'keyboard-grant'; to: string }
  | { type: 'keyboard-take' }
) & { id?: number };

/**
 * Control messages that change the port: the one command vocabulary of the WebSocket and the
 * HTTP API. With `id`, the sender alone gets a `result` (accepted, or refused and why).
 */
export type PortCommand = (
  | { type: 'set-baud'; baudRate: number }
  | { type: 'set-signals'; dtr?: boolean; rts?: boolean }
  | {
      /** Pulse DTR and RTS low for `ms` (default 100): the Arduino auto-reset. */
      type: 'reset';
      ms?: number;
    }
  | { type: 'set-pacing'; charDelayMs: number; lineDelayMs: number }
  | {
      /** Close and reopen the device. */
      type: 'reopen';
    }
  | {
      /** Change the character framing; omitted fields keep their value. At least one field. */
      type: 'set-framing';
      dataBits?: DataBits;
      parity?: Parity;
      stopBits?: StopBits;
      flow?: FlowControl;
    }
  | {
      /** Hold the transmit line low (a break) for `ms` (1..5000, default 250). Refused where the device cannot (a pty). */
      type: 'send-break';
      ms?: number;
    }
  | {
      /**
       * Close the device for `forMs` (1000..3600000, default 60000) so another program can flash the
       * board; the device is reopened when the time is up (or on `reclaim`). State `released` meanwhile.
       */
      type: 'release';
      forMs?: number;
    }
  | {
      /** End a release early: reopen the device now. Harmless when the port is not released. */
      type: 'reclaim';
    }
) & { id?: number };

/** Result of decoding one text frame: the message, or a reason it is not one (with the command's `id` when it carried a valid one, so the refusal can answer it). */
export type Decoded<T> = { ok: true; message: T } | { ok: false; error: string; id?: number };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isOptionalBool = (v: unknown): boolean => v === undefined || typeof v === 'boolean';

/** Encodes a control message as the text of one frame. */
export function encodeMessage(message: ServerMessage | ClientMessage): string {
  return JSON.stringify(message);
}

/** Decodes a text frame from a client; never throws. Unknown types and bad fields are errors. */
export function decodeClientMessage(text: string): Decoded<ClientMessage> {
  const value = parseObject(text);
  if (typeof value === 'string') return { ok: false, error: value };
  if (value.type === 'ack')
    return isCount(value.offset)
      ? { ok: true, message: { type: 'ack', offset: value.offset } }
      : { ok: false, error: 'ack: offset must be a non-negative integer' };
  if (typeof value.type === 'string' && value.type.startsWith('keyboard-')) return decodeKeyboardCommand(value);
  return decodePortCommand(value);
}

/** Checks a `keyboard-…` control message; never throws. */
function decodeKeyboardCommand(value: Record<string, unknown>): Decoded<KeyboardCommand> {
  const id = isCount(value.id) ? { id: value.id } : {};
  if (value.id !== undefined && !isCount(value.id)) return { ok: false, error: `${String(value.type)}: id must be a non-negative integer` };
  switch (value.type) {
    case 'keyboard-request':
    case 'keyboard-release':
    case 'keyboard-take':
      return { ok: true, message: { type: value.type, ...id } };
    case 'keyboard-grant':
      return typeof value.to === 'string' && value.to !== '' && value.to.length <= MAX_SEAT_ID_CHARS
        ? { ok: true, message: { type: 'keyboard-grant', to: value.to, ...id } }
        : { ok: false, error: 'keyboard-grant: to must be a connection id from the who list', ...id };
    default:
      return { ok: false, error: `unknown message type ${JSON.stringify(value.type)}`, ...id };
  }
}

/** Longest connection id a `keyboard-grant` may name: ids are short counters; anything longer is not one. */
const MAX_SEAT_ID_CHARS = 64;

/** Checks a parsed JSON object as a PortCommand (a control frame, or the HTTP API's command body); never throws. */
export function decodePortCommand(value: unknown): Decoded<PortCommand> {
  if (!isObject(value)) return { ok: false, error: 'not a JSON object' };
  if (value.id !== undefined && !isCount(value.id))
    return { ok: false, error: `${String(value.type)}: id must be a non-negative integer` };
  const decoded = decodeCommandFields(value);
  if (value.id !== undefined) {
    if (decoded.ok) decoded.message.id = value.id as number;
    else decoded.id = value.id as number;
  }
  return decoded;
}

function decodeCommandFields(value: Record<string, unknown>): Decoded<PortCommand> {
  switch (value.type) {
    case 'set-baud': {
      const refusal = checkBaudRate(value.baudRate);
      return refusal === null
        ? { ok: true, message: { type: 'set-baud', baudRate: value.baudRate as number } }
        : { ok: false, error: `set-baud: baudRate ${refusal}` };
    }
    case 'set-signals': {
      if (!isOptionalBool(value.dtr) || !isOptionalBool(value.rts))
        return { ok: false, error: 'set-signals: dtr and rts must be booleans' };
      const message: PortCommand = { type: 'set-signals' };
      if (typeof value.dtr === 'boolean') message.dtr = value.dtr;
      if (typeof value.rts === 'boolean') message.rts = value.rts;
      return { ok: true, message };
    }
    case 'reset': {
      if (value.ms === undefined) return { ok: true, message: { type: 'reset' } };
      const refusal = checkResetMs(value.ms);
      return refusal === null
        ? { ok: true, message: { type: 'reset', ms: value.ms as number } }
        : { ok: false, error: `reset: ms ${refusal}` };
    }
    case 'set-pacing': {
      const refusal = checkPacingDelay(value.charDelayMs) ?? checkPacingDelay(value.lineDelayMs);
      return refusal === null
        ? {
            ok: true,
            message: { type: 'set-pacing', charDelayMs: value.charDelayMs as number, lineDelayMs: value.lineDelayMs as number },
          }
        : { ok: false, error: `set-pacing: delays ${refusal}` };
    }
    case 'reopen':
      return { ok: true, message: { type: 'reopen' } };
    case 'set-framing':
      return decodeFraming(value);
    case 'send-break': {
      if (value.ms === undefined) return { ok: true, message: { type: 'send-break' } };
      const refusal = checkBreakMs(value.ms);
      return refusal === null
        ? { ok: true, message: { type: 'send-break', ms: value.ms as number } }
        : { ok: false, error: `send-break: ms ${refusal}` };
    }
    case 'release': {
      if (value.forMs === undefined) return { ok: true, message: { type: 'release' } };
      const refusal = checkReleaseMs(value.forMs);
      return refusal === null
        ? { ok: true, message: { type: 'release', forMs: value.forMs as number } }
        : { ok: false, error: `release: forMs ${refusal}` };
    }
    case 'reclaim':
      return { ok: true, message: { type: 'reclaim' } };
    default:
      return { ok: false, error: `unknown message type ${JSON.stringify(value.type)}` };
  }
}

/** The framing fields of a `set-framing` command, each checked through wire/limits.ts; at least one must be given. */
function decodeFraming(value: Record<string, unknown>): Decoded<PortCommand> {
  const message: Extract<PortCommand, { type: 'set-framing' }> = { type: 'set-framing' };
  const fields = [
    ['dataBits', checkDataBits],
    ['parity', checkParity],
    ['stopBits', checkStopBits],
    ['flow', checkFlow],
  ] as const;
  for (const [field, check] of fields) {
    if (value[field] === undefined) continue;
    const refusal = check(value[field]);
    if (refusal !== null) return { ok: false, error: `set-framing: ${field} ${refusal}` };
    (message as Record<string, unknown>)[field] = value[field];
  }
  if (Object.keys(message).length === 1)
    return { ok: false, error: 'set-framing: give at least one of dataBits, parity, stopBits, flow' };
  return { ok: true, message };
}

/** Decodes a text frame from the server; never throws. Checks the `type` and the fields the client relies on. */
export function decodeServerMessage(text: string): Decoded<ServerMessage> {
  const value = parseObject(text);
  if (typeof value === 'string') return { ok: false, error: value };
  switch (value.type) {
    case 'hello':
      return isCount(value.offset) &&
        isCount(value.protocol) &&
        typeof value.stream === 'string' &&
        typeof value.port === 'string' &&
        isDeviceStatus(value.device)
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'hello: bad fields' };
    case 'status':
      return isDeviceStatus(value.device)
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'status: bad device' };
    case 'skipped':
      return isCount(value.bytes) && isCount(value.offset)
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'skipped: bad fields' };
    case 'who':
      return Array.isArray(value.people) && value.people.every((p) => isObject(p) && typeof p.id === 'string' && typeof p.name === 'string')
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'who: bad people' };
    case 'keyboard':
      return (value.holder === null || isSeat(value.holder)) && Array.isArray(value.requests) && value.requests.every(isSeat)
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'keyboard: bad fields' };
    case 'wrote':
      return isCount(value.offset) && isCount(value.writeOffset) && typeof value.name === 'string' && typeof value.source === 'string' && typeof value.text === 'string' && typeof value.timeMs === 'number'
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'wrote: bad fields' };
    case 'clients':
      return isCount(value.count)
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'clients: bad count' };
    case 'result':
      return isCount(value.id) && typeof value.ok === 'boolean'
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'result: bad fields' };
    case 'capture':
      return isObject(value.capture) && typeof value.capture.state === 'string'
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'capture: bad fields' };
    case 'ports':
      return Array.isArray(value.ports) && value.ports.every((p) => isObject(p) && typeof p.id === 'string' && isDeviceStatus(p.device))
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'ports: bad fields' };
    case 'error':
      return typeof value.message === 'string' && typeof value.code === 'string'
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'error: bad fields' };
    default:
      return { ok: false, error: `unknown message type ${JSON.stringify(value.type)}` };
  }
}

function isSeat(v: unknown): v is KeyboardSeat {
  return isObject(v) && typeof v.id === 'string' && typeof v.name === 'string';
}

function isDeviceStatus(v: unknown): v is DeviceStatus {
  return isObject(v) && typeof v.state === 'string' && typeof v.path === 'string' && isCount(v.baudRate);
}

function parseObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (!isObject(value)) return 'not a JSON object';
  if (typeof value.type !== 'string') return 'missing "type"';
  return value;
}
