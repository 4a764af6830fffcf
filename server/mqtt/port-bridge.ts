// One port on the broker: its output as live OutFrames (QoS 1, in offset order, seq +1 per frame),
// its retained PortStatus, its records, and the answers to its input and fetch requests. The output
// is read by offset like any reader of the channel, with a bounded window in flight, so a slow or
// absent broker never grows memory or slows the device; what the broker acknowledged is persisted,
// and after an outage or a restart the bridge goes on from there (docs/fleet.md, "Resuming").
import type { ServedPort } from '../ports/served-port.js';
import type { CommandResult } from '../wire/api.js';
import type { AckedOffsetFile, ResumePoint } from './acked-offsets.js';
import { authorizeInput, type InputPolicy } from './authorize-input.js';
import { FetchReplay } from './fetch-replay.js';
import type { InputResponse, PortStatus, RecordMessage } from './fleet-messages.js';
import { decodeInputRequest } from './input-request.js';
import { encodeOutFrame, OutKind } from './out-frame.js';
import { OutputReader, type OutputPiece } from './output-reader.js';
import type { Topics } from './topics.js';

/** Largest live frame payload, in bytes: 16 KiB, over a second of a 115200-baud port, small enough for any broker's packet limit and to interleave ports. */
export const FRAME_BYTES = 16 * 1024;
/** Chunks that arrived this long after a frame's first byte may still join it, in ms: only a backlog (after an outage) has them, and 10 ms keeps each line's time true to a hundredth of a second. */
export const FRAME_MERGE_MS = 10;
/** Frames in flight (published, not yet acknowledged) per port, at most: 32 keeps a LAN broker busy; mqtt.js holds each until its PUBACK. */
export const WINDOW_FRAMES = 32;
/** Bytes in flight per port, at most: 256 KiB bounds what a stalled broker costs the node per port. */
export const WINDOW_BYTES = 256 * 1024;
/** Retry delay when the capture does not hold the next bytes yet, in ms (like the WebSocket's disk catch-up). */
export const CAPTURE_RETRY_MS = 20;

/** How the bridge reaches the broker (mqtt.js's publish, wrapped by the node bridge). */
export interface Publisher {
  /** QoS 1: `done` once the broker acknowledged it; an error with a numeric `code` is the broker's refusal (a PUBACK reason code), any other means not delivered (the client was ended). */
  publish(topic: string, payload: Buffer | string, options: { qos: 0 | 1; retain?: boolean }, done?: (error?: Error) => void): void;
}

/** What a port bridge is given by its node bridge. */
export interface PortBridgeOptions {
  node: string;
  topics: Topics;
  publisher: Publisher;
  /** Where the resume point is kept (null: memory-only, the bridge starts from the port's start each run). */
  resume: AckedOffsetFile | null;
  input: InputPolicy;
  log(line: string): void;
}

interface InFlight {
  end: number;
  seq: number;
  bytes: number;
  acked: boolean;
}

/** A port's link to the broker. */
export class PortBridge {
  private readonly reader: OutputReader;
  private readonly fetches: FetchReplay;
  private readonly unsubscribe: Array<() => void> = [];
  private cursor: number;
  private nextSeq: number;
  private readonly inFlight: InFlight[] = [];
  private inFlightBytes = 0;
  private online = false;
  private reading = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastStatus = '';
  private refusalsLogged = 0;
  private readonly whenAcked: Array<() => void> = [];

  private constructor(
    private readonly port: ServedPort,
    private readonly options: PortBridgeOptions,
    start: ResumePoint,
  ) {
    this.cursor = start.offset;
    this.nextSeq = start.nextSeq;
    const channel = port.channel;
    this.reader = new OutputReader(channel, { frameBytes: FRAME_BYTES, mergeMs: FRAME_MERGE_MS }, () => this.pump());
    this.fetches = new FetchReplay(
      this.reader,
      (consoleId) => options.topics.replay(consoleId, options.node, port.id),
      (topic, frame) => new Promise((resolve) => options.publisher.publish(topic, frame, { qos: 1 }, () => resolve())),
      (line) => options.log(`${port.id}: ${line}`),
    );
    this.unsubscribe.push(
      port.listen({ status: () => this.publishStatus() }),
      channel.subscribe({ capture: () => this.publishStatus() }),
    );
    // Records from now on: the line reader's backfill of the last hour went out when it happened (or was superseded).
    const recordsFrom = channel.end;
    this.unsubscribe.push(
      port.lines().subscribe({
        record: (record) => {
          if (!this.online || record.offset < recordsFrom) return;
          const message: RecordMessage = { offset: record.offset, timeMs: record.timeMs, format: record.format, fields: record.fields };
          options.publisher.publish(options.topics.records(options.node, port.id), JSON.stringify(message), { qos: 0 });
        },
      }),
    );
  }

  /**
   * Bridges `port`, resuming where the broker last acknowledged this stream's output on this topic;
   * with no such point, from the start of what memory holds (the output of this run, on a fresh start).
   */
  static async open(port: ServedPort, options: PortBridgeOptions): Promise<PortBridge> {
    const saved = await options.resume?.load();
    const channel = port.channel;
    const start = saved && saved.offset <= channel.end ? saved : { offset: channel.memory.start, nextSeq: 0 };
    if (saved && saved.offset > channel.end) options.log(`${port.id}: the saved MQTT offset ${saved.offset} is past the stream's end ${channel.end}; publishing from ${start.offset}`);
    return new PortBridge(port, options, start);
  }

  /** The port's id. */
  get id(): string {
    return this.port.id;
  }

  /** The broker (re)connected: publish the port's status, then output from where it stands. */
  connected(): void {
    this.online = true;
    this.lastStatus = '';
    this.publishStatus();
    this.pump();
  }

  /** The connection dropped: publish nothing new (what is in flight, mqtt.js sends again on reconnect). */
  disconnected(): void {
    this.online = false;
  }

  /** An InputRequest payload arrived: decode, authorize, run it on the command path, answer with its transaction. */
  async input(payload: Uint8Array): Promise<void> {
    const decoded = decodeInputRequest(payload);
    const { transaction } = decoded.envelope;
    const respond = (result: CommandResult): void => {
      const response: InputResponse = { ...(transaction === undefined ? {} : { transaction }), ...result };
      this.options.publisher.publish(this.options.topics.inputResponse(this.options.node, this.port.id), JSON.stringify(response), { qos: 1 });
    };
    if (!decoded.ok) return respond({ ok: false, code: 'bad-request', message: decoded.error });
    const authorized = authorizeInput(decoded.envelope, this.options.input, this.port.id);
    if (!authorized.ok) {
      this.port.channel.recordEvent({ type: 'refused', command: decoded.command.type, code: authorized.code, message: authorized.message, source: decoded.envelope.from === undefined ? 'mqtt' : `mqtt:${decoded.envelope.from}` });
      return respond({ ok: false, code: authorized.code, message: authorized.message });
    }
    respond(await this.port.commands.execute(decoded.command, authorized.requester));
  }

  /** A FetchRequest payload arrived. */
  fetch(payload: Uint8Array): void {
    this.fetches.handle(payload);
  }

  /** The retained PortStatus now. */
  status(): PortStatus {
    const channel = this.port.channel;
    return {
      id: this.port.id,
      name: this.port.config.name,
      device: this.port.device,
      capture: channel.captureStatus,
      stream: { id: channel.streamId, end: channel.end },
      nextSeq: this.nextSeq,
    };
  }

  /** Stops publishing and listening; the resume point is written by close(). */
  stop(): void {
    this.closed = true;
    this.online = false;
    clearTimeout(this.retryTimer);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.fetches.close();
    this.reader.close();
  }

  /** Resolves once no frame is in flight (every one published was answered). */
  allAcked(): Promise<void> {
    if (this.inFlight.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.whenAcked.push(resolve));
  }

  /** stop(), then writes the last acknowledged point durably. */
  async close(): Promise<void> {
    this.stop();
    await this.options.resume?.close();
  }

  private publishStatus(): void {
    if (!this.online) return;
    const status = this.status();
    // Device and capture changes only: the stream's end and seq move with every byte and are not news.
    const key = JSON.stringify([status.device, status.capture.state, status.capture.reason, status.capture.start]);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.options.publisher.publish(this.options.topics.portStatus(this.options.node, this.port.id), JSON.stringify(status), { qos: 1, retain: true });
  }

  /** Publishes output from the cursor while the window has room. */
  private pump(): void {
    if (!this.online || this.reading || this.closed) return;
    const channel = this.port.channel;
    while (this.inFlight.length < WINDOW_FRAMES && this.inFlightBytes < WINDOW_BYTES) {
      if (this.cursor < channel.oldest) {
        this.send({ kind: 'missing', offset: this.cursor, end: channel.oldest });
        continue;
      }
      const roomBytes = WINDOW_BYTES - this.inFlightBytes;
      const roomFrames = WINDOW_FRAMES - this.inFlight.length;
      const pieces = this.reader.readMemory(this.cursor, roomBytes, roomFrames);
      if (pieces === null) return this.readCapture(roomBytes, roomFrames);
      if (pieces.length === 0) return;
      for (const piece of pieces) this.send(piece);
      this.reader.dropBefore(this.cursor);
    }
  }

  private readCapture(maxBytes: number, maxFrames: number): void {
    this.reading = true;
    const from = this.cursor;
    void this.reader.readCapture(from, maxBytes, maxFrames).then((pieces) => {
      this.reading = false;
      if (this.closed || this.cursor !== from) return;
      for (const piece of pieces) this.send(piece);
      if (pieces.length > 0) return this.pump();
      // Nothing readable yet (between memory and the capture's flush): look again shortly.
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.pump(), CAPTURE_RETRY_MS);
    });
  }

  private send(piece: OutputPiece): void {
    const seq = this.nextSeq;
    this.nextSeq = (seq + 1) >>> 0;
    const frame =
      piece.kind === 'data'
        ? encodeOutFrame({ kind: OutKind.live, seq, offset: piece.offset, timeMs: piece.timeMs, data: piece.data })
        : encodeOutFrame({ kind: OutKind.missing, seq, offset: piece.offset, timeMs: Date.now(), data: EMPTY, end: piece.end });
    const end = piece.kind === 'data' ? piece.offset + piece.data.byteLength : piece.end;
    const entry: InFlight = { end, seq, bytes: frame.byteLength, acked: false };
    this.inFlight.push(entry);
    this.inFlightBytes += entry.bytes;
    this.cursor = end;
    this.options.publisher.publish(this.options.topics.output(this.options.node, this.port.id), frame, { qos: 1 }, (error) => this.acked(entry, error));
  }

  /** The broker answered a frame: the resume point moves over every frame answered in order. */
  private acked(entry: InFlight, error: Error | undefined): void {
    if (error && typeof (error as { code?: unknown }).code !== 'number') return; // not delivered: the client was ended
    if (error && this.refusalsLogged++ < 10) this.options.log(`${this.port.id}: the broker refused output frame ${entry.seq}: ${error.message}`);
    entry.acked = true;
    let point: ResumePoint | null = null;
    while (this.inFlight[0]?.acked) {
      const done = this.inFlight.shift()!;
      this.inFlightBytes -= done.bytes;
      point = { offset: done.end, nextSeq: (done.seq + 1) >>> 0 };
    }
    if (point) this.options.resume?.note(point);
    if (this.inFlight.length === 0) for (const resolve of this.whenAcked.splice(0)) resolve();
    this.pump();
  }
}

const EMPTY = new Uint8Array(0);
