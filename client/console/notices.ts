// serialdeck's own lines in the console (skipped bytes, a restarted stream, local echo), as escape
// sequences. They are styled so nobody mistakes them for the device's output.
import type { SkipReason } from '../../server/wire/protocol.js';

/** CAN aborts any escape sequence the device left half-written (e.g. cut by a skip), then SGR 0 resets colours. */
const ABORT_SEQUENCE = '\x18\x1b[0m';
/** Dim yellow: visible, but clearly not the device talking. */
const NOTICE_STYLE = '\x1b[2;33m';
/** Cyan: locally echoed input. */
const ECHO_STYLE = '\x1b[36m';
const RESET_STYLE = '\x1b[0m';

/** Formats a notice as its own console line; starts a new line first unless the cursor is already at column 0. */
export function noticeText(message: string, atLineStart: boolean): string {
  return `${ABORT_SEQUENCE}${atLineStart ? '' : '\r\n'}${NOTICE_STYLE}[serialdeck: ${message}]${RESET_STYLE}\r\n`;
}

/** Why bytes were skipped, in words for the person at the page (completes "N bytes skipped (…)"). */
export const SKIP_REASON_TEXT: Readonly<Record<SkipReason, string>> = {
  'slow-client': 'this page fell behind',
  'not-buffered': 'no longer kept by the server',
  'not-captured': 'capture was paused while they passed',
  lost: 'lost: the server stopped before saving them',
};

/** The notice for a `skipped` message: how many bytes this page will never see, and why. */
export function skippedMessage(bytes: number, reason: SkipReason): string {
  const why = SKIP_REASON_TEXT[reason] as string | undefined; // a newer server may send a reason this page does not know
  return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'} skipped${why ? ` (${why})` : ''}`;
}

/** The notice when a reconnect finds a new stream (the server restarted), so old and new output are told apart. */
export const STREAM_RESTARTED_MESSAGE = 'server restarted — new stream';

/** The notice when the page comes back to a port it showed before: output resumes where it left. */
export function resumedMessage(portName: string, offset: number): string {
  return `back on ${portName}: output since you left (from byte ${offset})`;
}

/** Magenta: a write to the device by someone (the inline writes), apart from the device's output and from local echo. */
const WROTE_STYLE = '\x1b[35m';

/** A write as the console shows it inline: `alice> G28` on its own line, coloured; a new line first unless at column 0. */
export function wroteText(name: string, text: string, atLineStart: boolean): string {
  return `${RESET_STYLE}${atLineStart ? '' : '\r\n'}${WROTE_STYLE}${name}> ${text}${RESET_STYLE}\r\n`;
}

/** A sent line as local echo shows it: coloured, then CRLF. */
export function localEchoText(line: string): string {
  return `${ECHO_STYLE}${line.replace(/[\x00-\x1f\x7f]/g, (c) => `^${String.fromCharCode(c.charCodeAt(0) ^ 0x40)}`)}${RESET_STYLE}\r\n`;
}
