// One port's WebSocket side: the clients the gateway hands it, each with its own ClientStream over
// the port's channel; device status and capture changes for all of them; and every frame a client
// sends turned into a command on the port's command path, whose answer goes back to that client only.
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { Principal } from '../access/access-policy.js';
import type { Requester } from '../ports/command-path.js';
import type { KeyboardOutcome } from '../ports/keyboard.js';
import { roleAllows, type Role } from '../wire/roles.js';
import type { ServedPort } from '../ports/served-port.js';
import {
  cleanDisplayName,
  decodeClientMessage,
  MAX_CONTROL_BYTES,
  PROTOCOL_VERSION,
  STREAM_MODES,
  type ClientMessage,
  type KeyboardCommand,
  type ServerMessage,
  type SkipReason,
  type StreamMode,
  type WhoEntry,
} from '../wire/protocol.js';
import type { CommandResult, WriteNote } from '../wire/api.js';
import { SharedFrames } from './binary-frames.js';
import { ClientStream, DEFAULT_STREAM_LIMITS, type StreamLimits, type StreamSource } from './client-stream.js';

/** Fan-out settings. */
export interface FanOutOptions {
  limits?: StreamLimits;
  /** The port's recent writes from a stream offset on: sent as `wrote` after hello, before any bytes, so a page annotates its replay. */
  recentWrites?(from: number): WriteNote[];
}

/**
 * Longest a `wrote` note waits before going to the port's clients, in ms, unless device bytes push it
 * out sooner: sent at once it cost a socket write per client (~150 µs of a keystroke's time on a busy
 * 2-core box) just as the keystroke was on its way to the device; 2 ms is unnoticeable on a page and
 * falls between the keys of even a fast typist (~200 a second).
 */
export const WROTE_NOTE_DELAY_MS = 2;

/** A connected client, as the gateway sees it: something to send control messages to. */
export interface FanOutClient {
  sendControl(message: ServerMessage): void;
}

interface Client extends FanOutClient {
  ws: WebSocket;
  stream: ClientStream;
  source: string;
  principal: Principal;
  /** Its id on this port (the who-list, keyboard-grant), its display name, its role here, and when it came. */
  id: string;
  name: string;
  role: Role | null;
  since: number;
}

/** The WebSocket fan-out of one port. */
export class PortFanOut {
  private readonly clients = new Set<Client>();
  private readonly decoder = new TextDecoder(); // stateless use (whole messages): one is enough
  private readonly limits: StreamLimits;
  private readonly source: StreamSource;
  private readonly unsubscribe: Array<() => void>;
  private nextClientId = 1;
  private pendingNotes: WriteNote[] = [];
  private noteTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly port: ServedPort,
    private readonly options: FanOutOptions = {},
  ) {
    this.limits = options.limits ?? DEFAULT_STREAM_LIMITS;
    const channel = port.channel;
    const frames = new SharedFrames(channel.memory, this.limits.frameBytes);
    this.source = {
      get memoryStart() {
        return channel.memory.start;
      },
      get deliverableEnd() {
        return channel.deliverableEnd;
      },
      get liveStart() {
        return channel.liveStart;
      },
      get oldest() {
        return channel.oldest;
      },
      frameAt: (offset, end) => frames.frameAt(offset, end),
      readDisk: (offset, maxBytes) => channel.readDisk(offset, maxBytes),
      skipReason: (from, to) => channel.skipReason(from, to),
    };
    this.unsubscribe = [
      channel.subscribe({
        data: () => {
          // Notes first: a page places a write before the device bytes that follow it (its echo).
          if (this.pendingNotes.length > 0) this.flushNotes();
          for (const client of this.clients) client.stream.pump();
        },
        capture: (capture) => this.broadcast({ type: 'capture', capture }),
      }),
      port.listen({
        status: (device) => this.broadcast({ type: 'status', device }),
        error: (message) => this.broadcast({ type: 'error', code: 'device', message }),
      }),
      port.keyboard.listen((state, change) => {
        this.broadcast({ type: 'keyboard', ...state, change });
        this.broadcastWho();
      }),
    ];
  }

  /** The port's id (the gateway checks the principal's role on it). */
  get portId(): string {
    return this.port.id;
  }

  /** Connected clients. */
  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * Takes a client the gateway accepted: `socket` is the one ws was handed (binary frames are
   * written to it directly), `source` labels the client in the capture, `principal` is who it is
   * (its role on this port decides what it may do). Query: offset, stream, mode.
   */
  accept(ws: WebSocket, socket: Duplex, url: URL, source: string, principal: Principal): FanOutClient {
    this.flushNotes(); // a newcomer gets the recent writes after hello, so none twice
    const mode = parseMode(url.searchParams.get('mode'));
    const resume = this.resumePoint(url.searchParams.get('offset'), url.searchParams.get('stream'), mode);
    const stream = new ClientStream(ws, socket, this.source, this.limits, resume.offset, mode);
    const role = principal.roleOn(this.port.id);
    const id = String(this.nextClientId++);
    const name = displayName(principal, url);
    const client: Client = { ws, stream, source, principal, id, name, role, since: Date.now(), sendControl: (message) => stream.sendControl(message) };
    this.clients.add(client);
    const port = this.port;
    port.keyboard.join({ id, name, role });
    stream.sendControl({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      port: port.id,
      stream: port.channel.streamId,
      offset: resume.offset,
      mode,
      readOnly: !roleAllows(role, 'write'),
      name,
      role: role ?? 'viewer',
      client: id,
      writers: port.keyboard.mode,
      device: port.device,
      capture: port.channel.captureStatus,
      clients: this.clients.size,
    });
    for (const problem of queryProblems(url)) stream.sendControl({ type: 'error', code: 'bad-message', message: problem });
    for (const note of this.options.recentWrites?.(resume.offset) ?? []) stream.sendControl({ type: 'wrote', ...note });
    if (resume.skipTo > resume.offset) stream.skipTo(resume.skipTo, this.resumeSkipReason(resume.offset, resume.skipTo, mode));
    stream.pump();
    this.broadcast({ type: 'clients', count: this.clients.size }, client);
    this.broadcastWho();
    if (port.keyboard.single) stream.sendControl({ type: 'keyboard', ...port.keyboard.state() });

    ws.on('message', (data, isBinary) => this.onFrame(client, data, isBinary));
    ws.on('close', () => {
      stream.dispose();
      if (!this.clients.delete(client)) return;
      this.broadcast({ type: 'clients', count: this.clients.size });
      // A holder's leaving re-sends the who-list with the keyboard's change; anyone else's, here.
      if (!port.keyboard.leave(id)) this.broadcastWho();
    });
    return client;
  }

  /** Sends `message` to every client of this port (but `except`). */
  broadcast(message: ServerMessage, except?: Client): void {
    for (const client of this.clients) if (client !== except) client.stream.sendControl(message);
  }

  /**
   * Tells every client of this port of a write (`wrote`): within WROTE_NOTE_DELAY_MS, and always
   * before any device bytes that arrive after it.
   */
  noteWrite(note: WriteNote): void {
    this.pendingNotes.push(note);
    this.noteTimer ??= setTimeout(() => this.flushNotes(), WROTE_NOTE_DELAY_MS);
  }

  private flushNotes(): void {
    clearTimeout(this.noteTimer);
    this.noteTimer = undefined;
    const notes = this.pendingNotes;
    this.pendingNotes = [];
    for (const note of notes) this.broadcast({ type: 'wrote', ...note });
  }

  /** Everyone connected here, to everyone: on every join, leave and handover. */
  private broadcastWho(): void {
    const keyboard = this.port.keyboard;
    const people: WhoEntry[] = [...this.clients].map(({ id, name, role, since }) => ({
      id,
      name,
      role: role ?? 'viewer',
      since,
      ...(keyboard.holds(id) ? { holdsKeyboard: true as const } : {}),
    }));
    this.broadcast({ type: 'who', people });
  }

  /** Stops listening to the port (its clients are closed by the gateway). */
  dispose(): void {
    clearTimeout(this.noteTimer);
    this.pendingNotes = [];
    for (const stop of this.unsubscribe) stop();
    for (const client of this.clients) client.stream.dispose();
    this.clients.clear();
  }

  /**
   * Where a (re)connecting client starts (`offset`, named in hello) and the first byte it can get
   * (`skipTo`). No offset: replay memory. Another stream's id, or beyond the end: the stream as if new
   * (memory replayed). An offset older than anything held: the oldest byte, the gap reported. Live
   * clients older than the live window (a scrollback's worth) start at its start, the gap reported;
   * lossless ones read the disk.
   */
  private resumePoint(param: string | null, stream: string | null, mode: StreamMode): { offset: number; skipTo: number } {
    const channel = this.port.channel;
    const memoryStart = channel.memory.start;
    const sameStream = stream === null || stream === channel.streamId;
    const asked = param !== null && /^\d{1,15}$/.test(param) && sameStream ? Number(param) : null;
    if (asked === null || asked > channel.end) return { offset: memoryStart, skipTo: memoryStart };
    const firstHeld = mode === 'live' ? channel.liveStart : channel.oldest;
    return { offset: asked, skipTo: Math.max(asked, firstHeld) };
  }

  /** Why a resume at `from` starts at `to`: a live client's bytes that are still kept but older than its window were too far behind. */
  private resumeSkipReason(from: number, to: number, mode: StreamMode): SkipReason {
    const channel = this.port.channel;
    return mode === 'live' && from >= channel.oldest ? 'slow-client' : channel.skipReason(from, to);
  }

  private onFrame(client: Client, data: RawData, isBinary: boolean): void {
    const bytes = toBytes(data);
    if (isBinary) {
      if (bytes.byteLength === 0) return;
      // Copy into a buffer of its own: ws may hand us a view into a larger receive buffer, and the write transfers it.
      void this.port.commands
        .execute({ type: 'write', data: new Uint8Array(bytes) }, this.requester(client))
        .then((result) => this.answer(client, undefined, result));
      return;
    }
    if (bytes.byteLength > MAX_CONTROL_BYTES)
      return client.stream.sendControl({ type: 'error', code: 'too-big', message: `control message over ${MAX_CONTROL_BYTES} bytes` });
    const decoded = decodeClientMessage(this.decoder.decode(bytes));
    if (!decoded.ok) {
      // A command that carried an id is answered by it, like any other refusal; anything else gets an error.
      if (decoded.id !== undefined)
        return client.stream.sendControl({ type: 'result', id: decoded.id, ok: false, code: 'bad-request', message: decoded.error });
      return client.stream.sendControl({ type: 'error', code: 'bad-message', message: decoded.error });
    }
    this.control(client, decoded.message);
  }

  private control(client: Client, message: ClientMessage): void {
    if (message.type === 'ack') return client.stream.ack(message.offset);
    if (isKeyboardCommand(message)) return this.answer(client, message.id, this.keyboardCommand(client, message));
    void this.port.commands.execute(message, this.requester(client)).then((result) => this.answer(client, message.id, result));
  }

  private keyboardCommand(client: Client, message: KeyboardCommand): KeyboardOutcome {
    const keyboard = this.port.keyboard;
    switch (message.type) {
      case 'keyboard-request':
        return keyboard.request(client.id);
      case 'keyboard-release':
        return keyboard.release(client.id);
      case 'keyboard-grant':
        return keyboard.grant(client.id, message.to);
      case 'keyboard-take':
        return keyboard.take(client.id);
    }
  }

  private requester(client: Client): Requester {
    return { source: client.source, name: client.name, role: client.role, seat: client.id };
  }

  /** With an id, the sender gets a `result`; without one, only a refusal, as an `error`. Nobody else hears of it. */
  private answer(client: Client, id: number | undefined, result: CommandResult): void {
    if (id !== undefined) {
      const message: ServerMessage = { type: 'result', id, ok: result.ok };
      if (!result.ok) {
        message.code = result.code;
        message.message = result.message;
      }
      if (result.written !== undefined) message.written = result.written;
      return client.stream.sendControl(message);
    }
    if (!result.ok) client.stream.sendControl({ type: 'error', code: result.code, message: result.message });
  }
}

/** What is wrong with a connection's query (it is served anyway, with the defaults): said once, after hello. */
function queryProblems(url: URL): string[] {
  const problems: string[] = [];
  const mode = url.searchParams.get('mode');
  if (mode !== null && !STREAM_MODES.some((m) => m === mode))
    problems.push(`mode must be ${STREAM_MODES.join(' or ')}, got ${JSON.stringify(mode)}; serving lossless`);
  const offset = url.searchParams.get('offset');
  if (offset !== null && !/^\d{1,15}$/.test(offset))
    problems.push(`offset must be a whole number, got ${JSON.stringify(offset)}; replaying from memory`);
  return problems;
}

function isKeyboardCommand(message: ClientMessage): message is KeyboardCommand {
  return message.type.startsWith('keyboard-');
}

/** Who a connection is to everyone else: its token's name, or a token-less page's own `?name=` as `bob (anonymous)`. */
export function displayName(principal: Principal, url: URL): string {
  if (principal.via !== 'anonymous') return principal.name;
  const given = cleanDisplayName(url.searchParams.get('name') ?? '');
  return given === '' ? principal.name : `${given} (${principal.name})`;
}

function parseMode(param: string | null): StreamMode {
  return STREAM_MODES.find((mode) => mode === param) ?? 'lossless';
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
