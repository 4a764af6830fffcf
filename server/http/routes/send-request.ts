// The body of POST /api/ports/:id/send, validated with a reason for anything wrong, and the API's
// limits on it, written once here: a command line, its ending, and when the reply ends. Pure.
import type { ReplyUntil } from '../../lines/command-reply.js';
import { LINE_ENDINGS, type LineEnding } from '../../wire/api.js';

/** Longest command line, in bytes of UTF-8: 4 KiB, the longest line the line layer keeps whole; more is data, for POST /write. */
export const MAX_SEND_LINE_BYTES = 4096;
/** Largest request body, in bytes: room for a 4 KiB line escaped in JSON, and the options. */
export const MAX_SEND_BODY_BYTES = 32 * 1024;
/** Default quiet period that ends a reply, in ms: 300 ms, longer than a sketch's loop() takes to answer and than LINE_QUIET_MS (200), so a prompt shows first. */
export const DEFAULT_REPLY_QUIET_MS = 300;
/** Shortest and longest quiet period accepted, in ms. */
export const MIN_REPLY_QUIET_MS = 10;
export const MAX_REPLY_QUIET_MS = 60_000;
/** Default timeout of a reply, in ms: 5 s, for a board busy with a slow command (a sensor read, a flash write). */
export const DEFAULT_REPLY_TIMEOUT_MS = 5000;
/** Shortest and longest timeout accepted, in ms: an HTTP request held open for minutes is a script that wants SSE instead. */
export const MIN_REPLY_TIMEOUT_MS = 10;
export const MAX_REPLY_TIMEOUT_MS = 60_000;
/** Longest prompt text, in characters. */
export const MAX_PROMPT_CHARS = 256;
/** Most reply text held for one request, in characters: 1 MiB, so a board printing flat out for the whole timeout cannot grow a request without bound (the reply then ends with `limit`). */
export const MAX_REPLY_CHARS = 1024 * 1024;

/** A valid send: the bytes to write and when the reply ends. */
export interface ParsedSend {
  bytes: Uint8Array;
  until: ReplyUntil;
}

const ENDING_BYTES: Record<LineEnding, string> = { lf: '\n', cr: '\r', crlf: '\r\n', none: '' };

/** Validates a JSON-decoded body; returns the send, or the reason it is refused. */
export function parseSendRequest(value: unknown): ParsedSend | { error: string } {
  if (!isObject(value)) return { error: 'body must be a JSON object like {"line":"status"}' };
  const unknown = Object.keys(value).find((key) => !['line', 'ending', 'until'].includes(key));
  if (unknown !== undefined) return { error: `unknown field ${JSON.stringify(unknown)}` };
  const { line, ending = 'lf', until = {} } = value;
  if (typeof line !== 'string') return { error: 'line must be a string' };
  if (/[\r\n]/.test(line)) return { error: 'line must not contain CR or LF: send one line per request (the ending is added), or use /write' };
  const endingName = LINE_ENDINGS.find((e) => e === ending);
  if (!endingName) return { error: `ending must be one of ${LINE_ENDINGS.join(', ')}, got ${JSON.stringify(ending)}` };
  const bytes = new TextEncoder().encode(line + ENDING_BYTES[endingName]);
  if (bytes.byteLength - ENDING_BYTES[endingName].length > MAX_SEND_LINE_BYTES) return { error: `line is over ${MAX_SEND_LINE_BYTES} bytes; use /write for data` };

  if (!isObject(until)) return { error: 'until must be an object: {"quietMs","prompt","timeoutMs"}' };
  const unknownUntil = Object.keys(until).find((key) => !['quietMs', 'prompt', 'timeoutMs'].includes(key));
  if (unknownUntil !== undefined) return { error: `unknown field until.${unknownUntil}` };
  const quietMs = until.quietMs ?? DEFAULT_REPLY_QUIET_MS;
  if (!isIntIn(quietMs, MIN_REPLY_QUIET_MS, MAX_REPLY_QUIET_MS))
    return { error: `until.quietMs must be an integer from ${MIN_REPLY_QUIET_MS} to ${MAX_REPLY_QUIET_MS} ms, got ${JSON.stringify(quietMs)}` };
  const timeoutMs = until.timeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
  if (!isIntIn(timeoutMs, MIN_REPLY_TIMEOUT_MS, MAX_REPLY_TIMEOUT_MS))
    return { error: `until.timeoutMs must be an integer from ${MIN_REPLY_TIMEOUT_MS} to ${MAX_REPLY_TIMEOUT_MS} ms, got ${JSON.stringify(timeoutMs)}` };
  const prompt = until.prompt ?? null;
  if (prompt !== null && (typeof prompt !== 'string' || prompt.trim() === '' || prompt.length > MAX_PROMPT_CHARS))
    return { error: `until.prompt must be a non-blank string of at most ${MAX_PROMPT_CHARS} characters` };
  return { bytes, until: { quietMs, timeoutMs, prompt, maxChars: MAX_REPLY_CHARS } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}
