// Decodes the payload of an input message (`<root>/<node>/<port>/in`, an InputRequest) into a
// command for the port's command path, or says exactly what is wrong with it. Never throws: a
// malformed request is answered with `bad-request`, carrying its transaction when it had a valid one.
import type { DeviceCommand } from '../ports/command-path.js';
import { decodePortCommand, MAX_WRITE_FRAME_BYTES } from '../wire/protocol.js';

/** Largest input payload, in bytes: a write of MAX_WRITE_FRAME_BYTES in base64 (4/3 of it) plus the envelope. */
export const MAX_INPUT_PAYLOAD_BYTES = Math.ceil((MAX_WRITE_FRAME_BYTES * 4) / 3) + 4096;
/** Longest transaction, in characters: zigbee2mqtt's are a few; this bounds what each answer echoes. */
export const MAX_TRANSACTION_CHARS = 128;
/** Longest `from`, in characters: a sender's name, as the capture and audit record it. */
export const MAX_FROM_CHARS = 64;

/** What the envelope said, read even when the request is refused (so the refusal can be correlated and authorized). */
export interface InputEnvelope {
  transaction?: string;
  from?: string;
  token?: string;
}

/** A decoded request, or why not (with what of the envelope was readable). */
export type DecodedInput =
  | { ok: true; envelope: InputEnvelope; command: DeviceCommand }
  | { ok: false; envelope: InputEnvelope; error: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes an InputRequest payload. */
export function decodeInputRequest(payload: Uint8Array): DecodedInput {
  const envelope: InputEnvelope = {};
  if (payload.byteLength > MAX_INPUT_PAYLOAD_BYTES)
    return { ok: false, envelope, error: `request of ${payload.byteLength} bytes is over the ${MAX_INPUT_PAYLOAD_BYTES}-byte limit` };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return { ok: false, envelope, error: 'request is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, envelope, error: 'request is not a JSON object' };
  const request = value as Record<string, unknown>;
  const fail = (error: string): DecodedInput => ({ ok: false, envelope, error });

  const { transaction, from, token } = request;
  if (transaction !== undefined) {
    if (typeof transaction !== 'string' || transaction.length > MAX_TRANSACTION_CHARS)
      return fail(`transaction must be a string of at most ${MAX_TRANSACTION_CHARS} characters`);
    envelope.transaction = transaction;
  }
  if (from !== undefined) {
    if (typeof from !== 'string' || from.length > MAX_FROM_CHARS || !/^[\w.@:-]+$/.test(from))
      return fail(`from must be 1 to ${MAX_FROM_CHARS} letters, digits, ".", "_", "-", ":" or "@"`);
    envelope.from = from;
  }
  if (token !== undefined) {
    if (typeof token !== 'string') return fail('token must be a string');
    envelope.token = token;
  }
  const known = new Set(['transaction', 'from', 'token', 'command', 'text', 'base64']);
  const unknown = Object.keys(request).find((key) => !known.has(key));
  if (unknown !== undefined) return fail(`unknown field ${JSON.stringify(unknown)} (known: ${[...known].join(', ')})`);
  const given = (['command', 'text', 'base64'] as const).filter((key) => request[key] !== undefined);
  if (given.length !== 1) return fail(`give exactly one of command, text, base64${given.length ? `, not ${given.join(' and ')}` : ''}`);

  if (request.text !== undefined) {
    if (typeof request.text !== 'string') return fail('text must be a string');
    return write(Buffer.from(request.text, 'utf8'), envelope);
  }
  if (request.base64 !== undefined) {
    if (typeof request.base64 !== 'string' || !BASE64.test(request.base64)) return fail('base64 must be standard base64 (A-Z, a-z, 0-9, +, / and = padding)');
    return write(Buffer.from(request.base64, 'base64'), envelope);
  }
  const decoded = decodePortCommand(request.command);
  if (!decoded.ok) return fail(`command: ${decoded.error}`);
  const { id: _id, ...command } = decoded.message;
  return { ok: true, envelope, command };
}

function write(bytes: Buffer, envelope: InputEnvelope): DecodedInput {
  if (bytes.byteLength > MAX_WRITE_FRAME_BYTES)
    return { ok: false, envelope, error: `a write of ${bytes.byteLength} bytes is over the ${MAX_WRITE_FRAME_BYTES}-byte limit` };
  // Its own ArrayBuffer: the command path transfers it to the serial worker (a Buffer may sit in a shared pool).
  return { ok: true, envelope, command: { type: 'write', data: new Uint8Array(bytes) } };
}
