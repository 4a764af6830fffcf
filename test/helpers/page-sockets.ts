// What the page's WebSockets actually carried, as Chromium saw it on the wire (playwright's
// `framereceived`), so an e2e test can compare the console's bytes with the capture byte for byte:
// every socket with its hello, its skips and its binary bytes, laid out by stream offset.
import type { Page, WebSocket as PageWebSocket } from 'playwright-core';
import { decodeServerMessage, type ServerMessage } from '../../server/wire/protocol.js';

/** One socket the page opened: the URL, its port (from its hello) and what the server sent on it. */
export interface PageSocket {
  url: string;
  /** The port its hello named ('' until the hello). */
  port: string;
  /** The hello's stream id ('' until the hello). */
  stream: string;
  /** Offset of the first byte on this socket (the hello's), -1 until the hello. */
  start: number;
  /** Offset after everything received so far (binary bytes and `skipped` moves). */
  end: number;
  messages: ServerMessage[];
  /** Binary bytes in order, each chunk with the stream offset of its first byte. */
  chunks: Array<{ offset: number; bytes: Buffer }>;
  /** The control messages the page sent on it (acks, commands), parsed. */
  sent: Array<{ type: string; [key: string]: unknown }>;
  /** Binary chunks and control messages interleaved, as they arrived. */
  frames: Array<{ offset: number; bytes: Buffer } | ServerMessage>;
  closed: boolean;
}

/** A contiguous run of the stream the page received over one or more sockets. */
export interface ReceivedStream {
  /** Offset of the first byte. */
  from: number;
  /** Offset after the last byte. */
  to: number;
  bytes: Buffer;
  /** Where the run was broken: skipped ranges, and reconnects that started elsewhere than where the last socket ended. */
  breaks: Array<{ from: number; to: number; why: string }>;
}

/** Records every socket of `page` from now on: call before the page navigates (openPage does). */
export class PageSockets {
  readonly sockets: PageSocket[] = [];

  constructor(page: Page) {
    page.on('websocket', (ws) => this.track(ws));
  }

  /** The sockets of port `id`, oldest first. */
  of(port: string): PageSocket[] {
    return this.sockets.filter((s) => s.port === port);
  }

  /** Control messages of `type` received on port `id`'s sockets, oldest first. */
  messages<T extends ServerMessage['type']>(port: string, type: T): Array<Extract<ServerMessage, { type: T }>> {
    return this.of(port).flatMap((s) => s.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type));
  }

  /** The highest offset the page acked as rendered on port `id`'s sockets (-1: none yet). */
  acked(port: string): number {
    const offsets = this.of(port).flatMap((s) => s.sent.filter((m) => m.type === 'ack').map((m) => Number(m.offset)));
    return Math.max(-1, ...offsets);
  }

  /**
   * Everything port `id`'s sockets carried (only those of `stream`, when given), joined by offset: a socket resuming where the last ended
   * continues the run; a skip, a gap or an overlap (bytes sent twice) is recorded in `breaks`.
   */
  received(port: string, stream?: string): ReceivedStream {
    const sockets = this.of(port).filter((s) => s.start >= 0 && (stream === undefined || s.stream === stream));
    const breaks: ReceivedStream['breaks'] = [];
    const parts: Buffer[] = [];
    const from = sockets[0]?.start ?? 0;
    let at = from;
    for (const [i, socket] of sockets.entries()) {
      if (socket.start !== at) breaks.push({ from: at, to: socket.start, why: `socket ${i} started at ${socket.start}, not ${at}` });
      at = socket.start;
      for (const frame of socket.frames) {
        if ('type' in frame) {
          if (frame.type !== 'skipped') continue;
          breaks.push({ from: frame.offset - frame.bytes, to: frame.offset, why: frame.reason });
          at = frame.offset;
        } else {
          if (frame.offset !== at) breaks.push({ from: at, to: frame.offset, why: `bytes at ${frame.offset}, not ${at}` });
          parts.push(frame.bytes);
          at = frame.offset + frame.bytes.length;
        }
      }
    }
    return { from, to: at, bytes: Buffer.concat(parts), breaks };
  }

  private track(ws: PageWebSocket): void {
    const socket: PageSocket = {
      url: ws.url(),
      port: '',
      stream: '',
      start: -1,
      end: -1,
      messages: [],
      chunks: [],
      frames: [],
      sent: [],
      closed: false,
    };
    this.sockets.push(socket);
    ws.on('close', () => (socket.closed = true));
    ws.on('framesent', ({ payload }) => {
      if (typeof payload === 'string') socket.sent.push(JSON.parse(payload) as PageSocket['sent'][number]);
    });
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') {
        const chunk = { offset: socket.end, bytes: Buffer.from(payload) };
        socket.chunks.push(chunk);
        socket.frames.push(chunk);
        socket.end += payload.length;
        return;
      }
      const decoded = decodeServerMessage(payload);
      if (!decoded.ok) throw new Error(`the server sent the page an invalid control message: ${decoded.error}`);
      const message = decoded.message;
      socket.messages.push(message);
      socket.frames.push(message);
      if (message.type === 'hello') {
        socket.port = message.port;
        socket.stream = message.stream;
        socket.start = socket.end = message.offset;
      } else if (message.type === 'skipped') {
        socket.end = message.offset;
      }
    });
  }
}
