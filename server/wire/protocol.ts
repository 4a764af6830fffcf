// The browser wire protocol, written once: the server and the client both import this module,
// so it must not import anything from `node:`. docs/protocol.md documents it for script authors;
// test/unit/protocol.test.ts pins it.
//
// Binary WebSocket frames carry raw serial bytes, exactly, in both directions.
// Text frames carry one JSON object each, with a `type` field, as typed below.
import { checkBaudRate, checkPacingDelay, checkResetMs } from './limits.js';

/** Version of this protocol; sent in `hello` and bumped on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/**
 * Path the WebSocket server upgrades on. Query: `offset=N&stream=ID` resumes stream ID at byte offset N
 * (a different stream ID, from before a server restart, gets the new stream replayed from its start).
 */
export const WS_PATH = '/ws';

/** Largest text (control) frame the server accepts, in bytes; control messages are tiny. */
export const MAX_CONTROL_BYTES = 4096;

/** Largest binary frame (bytes to write to the device) the server accepts: a generous paste. */
export const MAX_WRITE_FRAME_BYTES = 1024 * 1024; // 1 MiB

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

/** What the serial side is doing. `waiting`: the device is missing or was unplugged; it is reopened when it reappears. */
export type DeviceState = 'opening' | 'open' | 'waiting' | 'closed' | 'restarting';

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
  /** Human-readable detail: why it is waiting, the last error. */
  message?: string;
}

/** Server → client control messages. */
export type ServerMessage =
  | {
      /** First message on every connection. Binary frames that follow start at stream offset `offset`. */
      type: 'hello';
      protocol: number;
      /** Identifies this server's stream; offsets from another stream (before a restart) mean nothing here. */
      stream: string;
      offset: number;
      readOnly: boolean;
      device: DeviceStatus;
      clients: number;
    }
  | { type: 'status'; device: DeviceStatus }
  | {
      /** `bytes` of the stream were not delivered to this client; the stream continues at `offset`. */
      type: 'skipped';
      bytes: number;
      offset: number;
      reason: 'slow-client' | 'not-buffered';
    }
  | { type: 'clients'; count: number }
  | { type: 'error'; code: ErrorCode; message: string };

/** Machine-readable error codes in `error` messages. */
export type ErrorCode =
  | 'bad-message' // text frame that is not a valid control message
  | 'too-big' // frame over the size limit
  | 'read-only' // writing or changing settings on a read-only server
  | 'device' // the device refused or failed an operation
  | 'not-open'; // the device is not open, so the write was not sent

/** Client → server control messages. */
export type ClientMessage =
  | {
      /** Bytes up to `offset` have been rendered; the server keeps at most a window of un-acked bytes in flight. */
      type: 'ack';
      offset: number;
    }
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
    };

/** Result of decoding one text frame: the message, or a reason it is not one. */
export type Decoded<T> = { ok: true; message: T } | { ok: false; error: string };

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
  switch (value.type) {
    case 'ack':
      return isCount(value.offset)
        ? { ok: true, message: { type: 'ack', offset: value.offset } }
        : { ok: false, error: 'ack: offset must be a non-negative integer' };
    case 'set-baud': {
      const refusal = checkBaudRate(value.baudRate);
      return refusal === null
        ? { ok: true, message: { type: 'set-baud', baudRate: value.baudRate as number } }
        : { ok: false, error: `set-baud: baudRate ${refusal}` };
    }
    case 'set-signals': {
      if (!isOptionalBool(value.dtr) || !isOptionalBool(value.rts))
        return { ok: false, error: 'set-signals: dtr and rts must be booleans' };
      const message: ClientMessage = { type: 'set-signals' };
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
    default:
      return { ok: false, error: `unknown message type ${JSON.stringify(value.type)}` };
  }
}

/** Decodes a text frame from the server; never throws. Checks the `type` and the fields the client relies on. */
export function decodeServerMessage(text: string): Decoded<ServerMessage> {
  const value = parseObject(text);
  if (typeof value === 'string') return { ok: false, error: value };
  switch (value.type) {
    case 'hello':
      return isCount(value.offset) && isCount(value.protocol) && typeof value.stream === 'string' && isDeviceStatus(value.device)
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
    case 'clients':
      return isCount(value.count)
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'clients: bad count' };
    case 'error':
      return typeof value.message === 'string' && typeof value.code === 'string'
        ? { ok: true, message: value as ServerMessage }
        : { ok: false, error: 'error: bad fields' };
    default:
      return { ok: false, error: `unknown message type ${JSON.stringify(value.type)}` };
  }
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
