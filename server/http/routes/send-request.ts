// The body of POST /api/ports/:id/send as a schema (it validates the body and is printed in the
// OpenAPI document), the API's limits on it, written once here, and the one rule a schema cannot
// say: the line's length in bytes of UTF-8. Pure.
import { Type, type Static } from '@sinclair/typebox';
import type { ReplyUntil } from '../../lines/command-reply.js';
import { LINE_ENDINGS, type LineEnding } from '../../wire/api.js';
import { literals } from '../schema-helpers.js';

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

/** What a valid `line` is, in the words of a refusal. */
const LINE_RULE = `a string of one line, at most ${MAX_SEND_LINE_BYTES} bytes of UTF-8 and without CR or LF (the ending is added; send data with /write)`;

/** The body of a send (wire type: SendRequest in server/wire/api.ts). */
export const SendRequestSchema = Type.Object(
  {
    // maxLength counts characters, each at least one byte: a first bound; the bytes are checked after.
    line: Type.String({ title: LINE_RULE, pattern: '^[^\\r\\n]*$', maxLength: MAX_SEND_LINE_BYTES, examples: ['status'] }),
    ending: Type.Optional(literals(LINE_ENDINGS, { default: 'lf', description: 'Appended to the line.' })),
    until: Type.Optional(
      Type.Object(
        {
          quietMs: Type.Optional(
            Type.Integer({ minimum: MIN_REPLY_QUIET_MS, maximum: MAX_REPLY_QUIET_MS, default: DEFAULT_REPLY_QUIET_MS, description: 'The reply ends after this long without a byte from the device, in ms.' }),
          ),
          prompt: Type.Optional(
            Type.String({
              title: `a non-blank string of at most ${MAX_PROMPT_CHARS} characters`,
              pattern: '\\S',
              maxLength: MAX_PROMPT_CHARS,
              description: 'The reply ends at a line (or partial line) that is this text, trailing spaces ignored; without it, at any partial line.',
            }),
          ),
          timeoutMs: Type.Optional(
            Type.Integer({ minimum: MIN_REPLY_TIMEOUT_MS, maximum: MAX_REPLY_TIMEOUT_MS, default: DEFAULT_REPLY_TIMEOUT_MS, description: 'The reply ends after this long in any case, in ms.' }),
          ),
        },
        { additionalProperties: false, default: {}, description: 'When the reply ends: the first of a quiet period, a prompt, the timeout.' },
      ),
    ),
  },
  { additionalProperties: false, examples: [{ line: 'status' }, { line: 'M105', until: { prompt: 'ok', timeoutMs: 2000 } }] },
);

/** A body that passed SendRequestSchema (with its defaults filled in). */
export type SendBody = Static<typeof SendRequestSchema>;

/** A valid send: the bytes to write and when the reply ends. */
export interface ParsedSend {
  bytes: Uint8Array;
  until: ReplyUntil;
}

const ENDING_BYTES: Record<LineEnding, string> = { lf: '\n', cr: '\r', crlf: '\r\n', none: '' };

/** Turns a checked body into the bytes and the reply's end; refuses a line over MAX_SEND_LINE_BYTES of UTF-8. */
export function toSend(body: SendBody): ParsedSend | { error: string } {
  const line = new TextEncoder().encode(body.line);
  if (line.byteLength > MAX_SEND_LINE_BYTES) return { error: `line must be ${LINE_RULE}, got ${line.byteLength} bytes` };
  const ending = new TextEncoder().encode(ENDING_BYTES[body.ending ?? 'lf']);
  const bytes = new Uint8Array(line.byteLength + ending.byteLength);
  bytes.set(line);
  bytes.set(ending, line.byteLength);
  const until = body.until ?? {};
  return {
    bytes,
    until: {
      quietMs: until.quietMs ?? DEFAULT_REPLY_QUIET_MS,
      timeoutMs: until.timeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS,
      prompt: until.prompt ?? null,
      maxChars: MAX_REPLY_CHARS,
    },
  };
}
