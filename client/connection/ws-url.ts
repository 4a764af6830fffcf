// Where a port's WebSocket lives: beside the page, so serialdeck works behind a reverse proxy's sub-path.
import { WS_PATH, wsPathFor, type StreamMode } from '../../server/wire/protocol.js';

/** What to connect to: a port (null: the server's first port, `ws`), where to resume, and how to be fed. */
export interface SocketTarget {
  port: string | null;
  /** Offset of the next byte wanted; null: a fresh connection (the server replays what it holds in memory). */
  offset: number | null;
  /** The stream `offset` belongs to; only sent with an offset. */
  stream: string | null;
  mode: StreamMode;
  /** The name a token-less page goes by (`?name=`; the server ignores it when a token names the page). */
  name?: string;
}

/**
 * The WebSocket URL of `target` for a page at `pageHref`: same directory, `ws`/`wss` matching http/https,
 * then `?offset=N&stream=ID&mode=M`. Example: https://pi/deck/#/uno → wss://pi/deck/ws/uno?mode=live.
 * The page's own query and hash are dropped (a token there is not resent; the cookie carries it).
 */
export function webSocketUrl(pageHref: string, target: SocketTarget): string {
  const url = new URL(`.${target.port === null ? WS_PATH : wsPathFor(target.port)}`, pageHref);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  if (target.offset !== null) url.searchParams.set('offset', String(target.offset));
  if (target.offset !== null && target.stream !== null) url.searchParams.set('stream', target.stream);
  url.searchParams.set('mode', target.mode);
  if (target.name) url.searchParams.set('name', target.name);
  return url.href;
}
