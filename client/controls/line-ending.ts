// Line mode's encoding: the typed text as UTF-8, followed by the chosen line ending's bytes.
import { LINE_ENDINGS, type LineEnding } from '../../server/wire/protocol.js';

/** True when `value` names a line ending (a key of LINE_ENDINGS). */
export function isLineEnding(value: unknown): value is LineEnding {
  return typeof value === 'string' && Object.hasOwn(LINE_ENDINGS, value);
}

/** Bytes to send for one line typed in line mode: UTF-8 of `text`, then the ending (none/LF/CR/CRLF). */
export function encodeLine(text: string, ending: LineEnding): Uint8Array {
  return new TextEncoder().encode(text + LINE_ENDINGS[ending]);
}

/** Splits `bytes` into frames no longer than `maxBytes`, so a huge paste fits the server's frame limit. */
export function splitFrames(bytes: Uint8Array, maxBytes: number): Uint8Array[] {
  if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
  const frames: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += maxBytes) frames.push(bytes.subarray(start, start + maxBytes));
  return frames;
}
