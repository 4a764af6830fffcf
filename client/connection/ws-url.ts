// Where the WebSocket lives: beside the page, so serialdeck works behind a reverse proxy's sub-path.
import { WS_PATH } from '../../server/wire/protocol.js';

/**
 * The WebSocket URL for a page at `pageHref`: same directory, `ws`/`wss` matching http/https, and
 * `?offset=N&stream=ID` when resuming. Example: https://pi/deck/index.html → wss://pi/deck/ws?offset=42.
 */
export function webSocketUrl(pageHref: string, resumeOffset: number | null, streamId: string | null = null): string {
  const url = new URL(`.${WS_PATH}`, pageHref);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  if (resumeOffset !== null) url.searchParams.set('offset', String(resumeOffset));
  if (resumeOffset !== null && streamId !== null) url.searchParams.set('stream', streamId);
  return url.href;
}
