// How a write's bytes are shown: exactly (base64, so every byte round-trips), and as a short printable
// preview for people (the audit's `text`, the console's `alice> G28`). No `node:` imports: the page
// may use it too.

/** Longest preview, in characters: a G-code line or a shell command fits; a pasted file is cut with "…". */
export const MAX_PREVIEW_CHARS = 200;

const decoder = new TextDecoder('utf-8', { fatal: false });

/** The bytes as base64 (exact; decode to get them back). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * A printable preview: UTF-8 (invalid bytes as U+FFFD), control characters escaped (`\r`, `\n`, `\t`,
 * `\x1b`), cut at `maxChars` with "…". `trimEnding` drops one trailing line ending first (the console
 * shows `alice> G28`, not `alice> G28\r\n`).
 */
export function previewText(bytes: Uint8Array, maxChars = MAX_PREVIEW_CHARS, trimEnding = false): string {
  let text = decoder.decode(bytes.length > maxChars * 4 ? bytes.subarray(0, maxChars * 4) : bytes);
  if (trimEnding) text = text.replace(/\r\n$|[\r\n]$/, '');
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const piece =
      char === '\r' ? '\\r' : char === '\n' ? '\\n' : char === '\t' ? '\\t' : char === '\\' ? '\\\\'
      : code < 0x20 || (code >= 0x7f && code < 0xa0) ? `\\x${code.toString(16).padStart(2, '0')}` : char;
    if (out.length + piece.length > maxChars) return `${out}…`;
    out += piece;
  }
  return bytes.length > maxChars * 4 ? `${out}…` : out;
}
