// Malformed WebSocket input for the fuzzing tests: text frames that are almost control messages (or
// not text at all), binary frames of any size, connections with bad paths and queries, and frames
// no WebSocket library would send (bad opcodes, reserved bits, unmasked, lying lengths) written on a
// bare socket. Each case comes with what docs/protocol.md says the server must answer.
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import WebSocket from 'ws';
import { CloseCode, decodeClientMessage, decodeServerMessage, MAX_CONTROL_BYTES, MAX_WRITE_FRAME_BYTES, STREAM_MODES, type ServerMessage } from '../../server/wire/protocol.js';
import type { CommandErrorCode } from '../../server/wire/api.js';
import { within } from './fuzz-common.js';
import { almostCommand, slowsThePort } from './fuzz-http.js';

/** Longest wait for an answer, in ms; anything longer is a hang. */
export const WS_ANSWER_TIMEOUT_MS = 15_000;
/** Close code for a text frame that is not UTF-8 (RFC 6455 §7.4.1; ws sends it, docs/protocol.md promises it). */
const INVALID_PAYLOAD = 1007;
/** Close code for a frame that breaks the protocol itself (ws sends it for bad opcodes, reserved bits, unmasked frames). */
const PROTOCOL_ERROR = 1002;

/** Codes the refusals, errors and results may carry (docs/protocol.md, "Server → client messages"). */
const COMMAND_CODES: Record<CommandErrorCode, true> = {
  'read-only': true,
  forbidden: true,
  'not-holder': true,
  'not-open': true,
  'write-queue-full': true,
  'bad-request': true,
  device: true,
  timeout: true,
};
const DOCUMENTED_CODES = new Set(['bad-message', 'too-big', ...Object.keys(COMMAND_CODES)]);

/** A frame on an open connection. */
export type FrameCase = { kind: 'text'; bytes: Uint8Array; note: string } | { kind: 'binary'; bytes: Uint8Array; note: string };

/** A new connection to `path` + `query`, with `origin` when given. */
export interface ConnectCase {
  kind: 'connect';
  path: string;
  query: string;
  origin?: string;
}

/** Raw frames written after a real handshake. `closeCodes` are close codes the frames themselves carry (the server echoes them). */
export interface RawCase {
  kind: 'raw';
  bytes: Uint8Array;
  closeCodes: number[];
}

const encoder = new TextEncoder();
const text = (value: string) => encoder.encode(value);

/** Text frames: JSON almost a control message, JSON of any shape, strings, bytes that are not UTF-8, and sizes around the limits. */
export const textFrameArb: fc.Arbitrary<FrameCase> = fc.oneof(
  { weight: 160, arbitrary: almostCommand.map((v) => ({ kind: 'text' as const, bytes: text(JSON.stringify(v) ?? 'undefined'), note: 'almost a command' })) },
  { weight: 40, arbitrary: fc.jsonValue().map((v) => ({ kind: 'text' as const, bytes: text(JSON.stringify(v)), note: 'any JSON' })) },
  { weight: 40, arbitrary: fc.string({ maxLength: 60 }).map((s) => ({ kind: 'text' as const, bytes: text(s), note: 'a string' })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('{', '{"type":', '{"type":"ack","offset":1}{', '\ufeff{"type":"reclaim"}', '{"type":"ack","offset":-0}', '{"type":"ack","offset":1e3}', '{"__proto__":{"type":"reclaim"}}', '{"type":"reclaim","type":"reset"}', 'null', '[]', '""')
      .map((s) => ({ kind: 'text' as const, bytes: text(s), note: 'near-JSON' })),
  },
  { weight: 20, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => ({ kind: 'text' as const, bytes, note: 'bytes as text' })) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: MAX_CONTROL_BYTES - 16, max: MAX_CONTROL_BYTES + 4096 })
      .map((n) => ({ kind: 'text' as const, bytes: text(`{"type":"reclaim","pad":"${'p'.repeat(Math.max(0, n - 30))}"}`), note: 'around the control limit' })),
  },
  // Rare, and just past the frame limit: the limit is what is tested, not the loopback's bandwidth.
  { weight: 1, arbitrary: fc.nat(1024).map((n) => ({ kind: 'text' as const, bytes: new Uint8Array(MAX_WRITE_FRAME_BYTES + 1 + n).fill(0x20), note: 'over the frame limit' })) },
).filter((c) => !slowsThePort(parseOrNull(c.bytes)));

/** Binary frames: bytes for the device, empty ones, and rarely one just over 1 MiB. */
export const binaryFrameArb: fc.Arbitrary<FrameCase> = fc.oneof(
  { weight: 200, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ kind: 'binary' as const, bytes, note: 'bytes' })) },
  { weight: 20, arbitrary: fc.nat(64 * 1024).map((n) => ({ kind: 'binary' as const, bytes: new Uint8Array(randomBytes(n)), note: 'a paste' })) },
  { weight: 1, arbitrary: fc.nat(1024).map((n) => ({ kind: 'binary' as const, bytes: new Uint8Array(MAX_WRITE_FRAME_BYTES + 1 + n), note: 'over the frame limit' })) },
);

function parseOrNull(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
}

/** Connections with bad paths, bad queries (offset, stream, mode, percent-encoding), or a foreign Origin. */
export const connectArb: fc.Arbitrary<ConnectCase> = fc.record(
  {
    kind: fc.constant('connect' as const),
    path: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('/ws', '/ws/demo') },
      { weight: 2, arbitrary: fc.constantFrom('/ws/', '/ws/nope', '/ws/demo/', '/ws/demo/x', '/ws//demo', '/WS', '/ws/%zz', '/ws/%64emo', '/ws/..', '/ws/%2e%2e', '/wsx', '/api/ports', '/', '/ws/demo%00') },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `/ws/${encodeURIComponent(s)}`) },
    ),
    query: fc.oneof(
      fc.constant(''),
      fc
        .array(
          fc.tuple(
            fc.constantFrom('offset', 'stream', 'mode', 'x', ''),
            fc.oneof(fc.constantFrom('', '0', '-1', '1e3', '9'.repeat(16), '999999999999999', 'live', 'lossless', 'LIVE', 'demo', '%zz'), fc.string({ maxLength: 12 })),
          ),
          { minLength: 1, maxLength: 3 },
        )
        .map((pairs) => pairs.map(([k, v]) => `${k}=${v === '%zz' ? v : encodeURIComponent(v)}`).join('&')),
    ),
    origin: fc.constantFrom('http://evil.example', 'null'),
  },
  { requiredKeys: ['kind', 'path', 'query'] },
);

/** One frame as bytes, with the given header bits; `lie` makes its length field disagree with what follows. */
function frame(fin: boolean, rsv: number, opcode: number, masked: boolean, payload: Uint8Array, lie: number): Uint8Array {
  const length = Math.max(0, payload.byteLength + lie);
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else head.push(maskBit | 127, 0, 0, 0, 0, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
  const mask = masked ? [0x12, 0x34, 0x56, 0x78] : [];
  const body = Uint8Array.from(payload, (b, i) => (masked ? b ^ mask[i % 4]! : b));
  return Uint8Array.from([...head, ...mask, ...body]);
}

/** Frames no library would send: any opcode and reserved bits, unmasked, fragmented control frames, close frames with odd codes, lengths that lie. */
export const rawFramesArb: fc.Arbitrary<RawCase> = fc
  .array(
    fc.record({
      fin: fc.boolean(),
      rsv: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }) }),
      opcode: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0x1, 0x2, 0x0, 0x8, 0x9, 0xa) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
      masked: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 140 }),
        fc.integer({ min: 0, max: 5000 }).map((code) => Uint8Array.from([code >> 8, code & 0xff, 0x6f, 0x6b])),
        fc.jsonValue().map((v) => text(JSON.stringify(v))),
      ),
      lie: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -10, max: 10 }) }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((frames) => ({
    kind: 'raw' as const,
    bytes: Buffer.concat(frames.map((f) => frame(f.fin, f.rsv, f.opcode, f.masked, f.payload, f.lie))),
  }))
  .map(({ kind, bytes }) => ({ kind, bytes, closeCodes: closeCodesIn(bytes) }));

/** Close codes in the close frames of `bytes` as a server parses them (a length that lies moves every later frame boundary). */
function closeCodesIn(bytes: Uint8Array): number[] {
  const codes: number[] = [];
  for (let at = 0; at + 2 <= bytes.byteLength; ) {
    const opcode = bytes[at]! & 0x0f;
    const masked = (bytes[at + 1]! & 0x80) !== 0;
    let length = bytes[at + 1]! & 0x7f;
    let offset = at + 2;
    if (length === 126 || length === 127) {
      const size = length === 126 ? 2 : 8;
      if (offset + size > bytes.byteLength) break;
      length = Number(size === 2 ? Buffer.from(bytes).readUInt16BE(offset) : Buffer.from(bytes).readBigUInt64BE(offset));
      offset += size;
    }
    const mask = masked ? bytes.subarray(offset, offset + 4) : null;
    if (masked) offset += 4;
    if (opcode === 0x8 && length >= 2 && offset + 2 <= bytes.byteLength)
      codes.push(((bytes[offset]! ^ (mask?.[0] ?? 0)) << 8) | (bytes[offset + 1]! ^ (mask?.[1] ?? 0)));
    at = offset + length;
  }
  return codes;
}

/** A client connection kept across cases: every control message it receives, in order, and its close. */
export class FuzzSocket {
  readonly messages: ServerMessage[] = [];
  closeCode: number | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly invalid: string[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return; // the device's bytes (the demo's echo and readings): not what is judged here
      const decoded = decodeServerMessage(data.toString('utf8'));
      if (decoded.ok) this.messages.push(decoded.message);
      else this.invalid.push(`${decoded.error}: ${data.toString('utf8').slice(0, 100)}`);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
    ws.on('error', () => {}); // 'close' follows
  }

  /** Opens `url` and waits for its hello. */
  static async open(url: string): Promise<FuzzSocket> {
    const socket = new FuzzSocket(new WebSocket(url));
    await socket.until(() => socket.messages.some((m) => m.type === 'hello'), 'hello');
    return socket;
  }

  /** Control messages the server sent that are not valid ServerMessages (none, always). */
  get invalidMessages(): readonly string[] {
    return this.invalid;
  }

  /** Resolves once `predicate` holds or the socket closed; rejects after WS_ANSWER_TIMEOUT_MS (a hang). */
  until(predicate: () => boolean, what: string): Promise<void> {
    const work = new Promise<void>((resolve) => {
      const check = (): void => {
        if (!predicate() && this.closeCode === null) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
    return within(WS_ANSWER_TIMEOUT_MS, `waiting for ${what}`, work);
  }

  close(): Promise<void> {
    if (this.closeCode !== null) return Promise.resolve();
    this.ws.close();
    return this.until(() => false, 'close');
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Probe ids: far above the ids the fuzzer makes (at most 2^40), so a probe's result is never mistaken for a case's. */
let nextProbe = 2 ** 50;

/**
 * Sends `c` on `socket`, then a probe that is refused at once (a `set-baud` to 0, with an id), and
 * checks what came back up to the probe's answer against what the docs promise. Returns a problem, or
 * null; `closed` when the case closed the connection, as it should have (the caller opens a new one).
 */
export async function judgeFrame(socket: FuzzSocket, c: FrameCase): Promise<{ problem: string | null; closed: boolean }> {
  const start = socket.messages.length;
  const expected = expectedAnswer(c);
  socket.ws.send(c.bytes, { binary: c.kind === 'binary' });
  if (typeof expected === 'number') {
    await socket.until(() => false, `close ${expected}`);
    return { problem: socket.closeCode === expected ? null : `${c.note}: closed with ${socket.closeCode}, not ${expected}`, closed: true };
  }
  const probe = nextProbe++;
  socket.ws.send(JSON.stringify({ type: 'set-baud', baudRate: 0, id: probe }));
  await socket.until(() => socket.messages.slice(start).some((m) => m.type === 'result' && m.id === probe), 'the probe result');
  if (socket.closeCode !== null) return { problem: `${c.note}: the connection closed (${socket.closeCode})`, closed: true };
  const answers = socket.messages.slice(start);
  const probeAt = answers.findIndex((m) => m.type === 'result' && m.id === probe);
  const before = answers.slice(0, probeAt);
  if (socket.invalidMessages.length > 0) return { problem: `invalid server message: ${socket.invalidMessages[0]}`, closed: false };
  for (const m of answers) {
    if ((m.type === 'error' || (m.type === 'result' && !m.ok)) && !DOCUMENTED_CODES.has(String(m.code)))
      return { problem: `${c.note}: undocumented code ${JSON.stringify(m)}`, closed: false };
  }
  if (expected !== null) {
    const match = before.find((m) => m.type === expected.type && m.code === expected.code && (expected.id === undefined || (m.type === 'result' && m.id === expected.id)));
    if (!match) return { problem: `${c.note}: expected ${JSON.stringify(expected)} before the probe's result, got ${JSON.stringify(before)}`, closed: false };
    if (expected.message !== undefined && (match as { message?: string }).message !== expected.message)
      return { problem: `${c.note}: expected the message ${JSON.stringify(expected.message)}, got ${JSON.stringify(match)}`, closed: false };
  }
  const commandId = commandIdOf(c);
  // A valid command with an id is answered (later than the probe, maybe: it goes to the device), to this client.
  if (commandId !== undefined) await socket.until(() => socket.messages.slice(start).some((m) => m.type === 'result' && m.id === commandId), `the result of command ${commandId}`);
  if (socket.closeCode !== null) return { problem: `${c.note}: the connection closed (${socket.closeCode})`, closed: true };
  return { problem: null, closed: false };
}

type Expected = { type: 'error' | 'result'; code: string; id?: number; message?: string } | null | number;

/** What the docs promise for a frame: a close code, an error (or result, for a command with an id) before the probe's answer, or nothing to check (null). */
function expectedAnswer(c: FrameCase): Expected {
  if (c.bytes.byteLength > MAX_WRITE_FRAME_BYTES) return CloseCode.tooBig;
  if (c.kind === 'binary') return null;
  let textValue: string;
  try {
    textValue = new TextDecoder('utf-8', { fatal: true }).decode(c.bytes);
  } catch {
    return INVALID_PAYLOAD;
  }
  if (c.bytes.byteLength > MAX_CONTROL_BYTES) return { type: 'error', code: 'too-big' };
  const decoded = decodeClientMessage(textValue);
  if (decoded.ok) return null;
  return decoded.id !== undefined
    ? { type: 'result', code: 'bad-request', id: decoded.id, message: decoded.error }
    : { type: 'error', code: 'bad-message', message: decoded.error };
}

function commandIdOf(c: FrameCase): number | undefined {
  if (c.kind !== 'text' || c.bytes.byteLength > MAX_CONTROL_BYTES) return undefined;
  const value = parseOrNull(c.bytes);
  const decoded = decodeClientMessage(JSON.stringify(value));
  return decoded.ok && decoded.message.type !== 'ack' ? decoded.message.id : undefined;
}

/** Opens a connection as `c` says; returns a problem or null. A clean one must get hello and, after it, one `bad-message` error per bad query value. */
export async function judgeConnect(baseUrl: string, c: ConnectCase): Promise<string | null> {
  const url = `${baseUrl.replace(/^http/, 'ws').replace(/\/$/, '')}${c.path}${c.query ? `?${c.query}` : ''}`;
  const ws = new WebSocket(url, c.origin ? { origin: c.origin } : {});
  const messages: ServerMessage[] = [];
  const outcome = new Promise<{ status?: number; close?: number }>((resolve) => {
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      const decoded = decodeServerMessage(data.toString('utf8'));
      messages.push(decoded.ok ? decoded.message : { type: 'error', code: 'bad-message', message: `INVALID FROM SERVER: ${decoded.error}` });
      // Hello and the query's problems come in one run of the event loop: once hello is in, a close gathers the rest.
      if (messages.length === 1) ws.close();
    });
    ws.on('close', (code) => resolve({ close: code }));
    ws.on('error', () => {});
  });
  const { status, close } = await within(WS_ANSWER_TIMEOUT_MS, `connecting to ${c.path}?${c.query}`, outcome);
  if (messages.some((m) => m.type === 'error' && m.message.startsWith('INVALID FROM SERVER'))) return `invalid server message: ${JSON.stringify(messages)}`;
  const routable = routes(c.path);
  if (!routable) return status === 404 ? null : `${c.path}: expected 404, got ${status ?? `close ${close}`}`;
  if (status !== undefined) return `${c.path}: refused with HTTP ${status}`;
  if (c.origin) return close === CloseCode.policyViolation && messages.length === 0 ? null : `foreign Origin: close ${close} after ${JSON.stringify(messages)}`;
  if (messages[0]?.type !== 'hello') return `no hello: close ${close}, ${JSON.stringify(messages)}`;
  const errors = messages.filter((m) => m.type === 'error').map((m) => (m as { message: string }).message);
  const want = queryProblemCount(c.query);
  if (errors.length !== want) return `query ${JSON.stringify(c.query)}: expected ${want} bad-message errors, got ${JSON.stringify(errors)}`;
  return null;
}

/** Whether the gateway routes `path` to the demo port: `/ws`, or `/ws/<id>` with an id that decodes to `demo`. */
function routes(path: string): boolean {
  if (path === '/ws') return true;
  const match = /^\/ws\/([^/]+)$/.exec(path);
  if (!match) return false;
  try {
    return decodeURIComponent(match[1]!) === 'demo';
  } catch {
    return false;
  }
}

/** Bad values among `mode` and `offset` in `query`, by the rule docs/protocol.md gives (the first of each name counts). */
function queryProblemCount(query: string): number {
  const params = new URLSearchParams(query);
  const mode = params.get('mode');
  const offset = params.get('offset');
  return (mode !== null && !(STREAM_MODES as readonly string[]).includes(mode) ? 1 : 0) + (offset !== null && !/^\d{1,15}$/.test(offset) ? 1 : 0);
}

/** Handshakes by hand on a bare socket, writes `c`'s frames, half-closes, and checks the server closes with a sane code. */
export async function judgeRaw(port: number, c: RawCase): Promise<string | null> {
  const work = new Promise<Buffer>((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let upgraded = false;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (!upgraded && Buffer.concat(chunks).includes('\r\n\r\n')) {
        upgraded = true;
        socket.end(c.bytes);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.write(
      'GET /ws/demo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
  const answer = await within(WS_ANSWER_TIMEOUT_MS, 'raw frames', work);
  const headEnd = answer.indexOf('\r\n\r\n');
  if (!answer.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) return `handshake failed: ${answer.subarray(0, 60).toString('latin1')}`;
  const frames = serverFrames(answer.subarray(headEnd + 4));
  if (frames.problem) return frames.problem;
  const allowed = new Set([CloseCode.tooBig, PROTOCOL_ERROR, INVALID_PAYLOAD, 1000, 1005, ...c.closeCodes]);
  const close = frames.closeCode;
  return close === null || allowed.has(close) ? null : `closed with ${close} (frames carried ${JSON.stringify(c.closeCodes)})`;
}

/** The server's frames: every text frame must be a valid ServerMessage; the close frame's code, if any. */
function serverFrames(bytes: Buffer): { problem: string | null; closeCode: number | null } {
  let at = 0;
  let closeCode: number | null = null;
  while (at + 2 <= bytes.byteLength) {
    const opcode = bytes[at]! & 0x0f;
    if (bytes[at + 1]! & 0x80) return { problem: 'the server masked a frame', closeCode };
    let length = bytes[at + 1]! & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(offset));
      offset += 8;
    }
    const payload = bytes.subarray(offset, offset + length);
    if (opcode === 0x1 && payload.byteLength === length) {
      const decoded = decodeServerMessage(payload.toString('utf8'));
      if (!decoded.ok) return { problem: `invalid server message: ${payload.toString('utf8').slice(0, 100)}`, closeCode };
    }
    if (opcode === 0x8) closeCode = payload.byteLength >= 2 ? payload.readUInt16BE(0) : 1005;
    at = offset + length;
  }
  return { problem: null, closeCode };
}
