// A `skipped` notice as the page offers it: the byte range this page missed, why, and whether it can be
// downloaded from the capture instead. Pure; ui/skipped-list.ts shows the entries.
import type { CaptureStatus } from '../../server/wire/api.js';
import { downloadUrl } from '../../server/wire/api.js';
import type { SkipReason } from '../../server/wire/protocol.js';
import { skippedMessage } from './notices.js';

/** One skipped range. `href`: the range as timestamped text, or null where the server holds none of it. */
export interface SkippedEntry {
  /** Stream offsets: `from` inclusive, `to` exclusive. */
  from: number;
  to: number;
  bytes: number;
  reason: SkipReason;
  /** The line the page shows, e.g. "1234 bytes skipped (this page fell behind)". */
  text: string;
  href: string | null;
}

/**
 * The entry for a `skipped` message on port `portId` (`offset` is where the stream continues, so the
 * range is [offset − bytes, offset)). Only a slow client's bytes are still on disk to download: the
 * other reasons mean the server never kept them, and with capture off nothing older than memory is held.
 */
export function skippedEntry(
  portId: string,
  message: { bytes: number; offset: number; reason: SkipReason },
  capture: CaptureStatus | null,
): SkippedEntry {
  const from = Math.max(0, message.offset - message.bytes);
  const to = message.offset;
  const kept = message.reason === 'slow-client' && capture?.state !== 'off';
  return {
    from,
    to,
    bytes: message.bytes,
    reason: message.reason,
    text: skippedMessage(message.bytes, message.reason),
    href: kept ? downloadUrl(portId, { from, to, format: 'text' }) : null,
  };
}

/** The console notice for `entry`: the skipped text, and where to get the bytes when they can be had. */
export function skippedNotice(entry: SkippedEntry): string {
  return entry.href === null ? `${entry.text}; not kept, so not downloadable` : `${entry.text} — download them from "Skipped" below`;
}
