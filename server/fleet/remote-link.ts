// One remote port at the fleet console: the "serial handle" of a ServedPort whose device sits at a
// node. The port's command path posts worker messages here as if to a worker; they leave as
// InputRequests and come back as results. The node's retained status becomes the device status
// (with the node's online state laid over it), and its frames are reassembled into the port's
// channel at the node's offsets, so the console, SSE, plot, download and capture work unchanged.
import type { InputRequest, InputResponse, PortStatus } from '../mqtt/fleet-messages.js';
import { OutKind, type OutFrame } from '../mqtt/out-frame.js';
import type { Channel } from '../ports/channel.js';
import type { Requester } from '../ports/command-path.js';
import type { SerialHandle } from '../serial/handle.js';
import type { FromWorker, ToWorker } from '../serial/messages.js';
import type { DeviceStatus } from '../wire/protocol.js';
import { inputRequestFor, refusalFor, workerResultFor } from './input-request.js';
import { StreamAssembler, type Schedule } from './stream-assembler.js';
import { mappingFor, type MappingStore, type StreamMapping } from './stream-mapping.js';

/**
 * Longest wait for a node to answer a command, in ms: a node's own command timeout (10 s) plus the
 * broker's round trip; a write paced at the node may take longer, and is answered as a timeout here
 * though the node goes on writing it.
 */
export const REMOTE_ANSWER_TIMEOUT_MS = 15_000;

/** What a link sends to the broker (the fleet console's MQTT client behind it). */
export interface LinkOutbox {
  input(request: InputRequest): void;
  fetch(from: number, to: number): void;
}

/** A remote port's link to its node. */
export class RemoteLink implements SerialHandle {
  private onMessage: ((message: FromWorker) => void) | null = null;
  private channel: Channel | null = null;
  private assembler: StreamAssembler | null = null;
  private mapping: StreamMapping | null = null;
  private mappingStore: MappingStore | null = null;
  private portStatus: PortStatus | null = null;
  private nodeOnline = false;
  private lastStatusKey = '';
  private readonly pending = new Map<string, { id: number; cancel: () => void }>();
  /** Highest node offset seen in any frame or status before the channel was bound: fetched once it is. */
  private seenEnd = 0;
  private closed = false;

  /** `consoleId` makes transactions unique among consoles sharing a node; `maxFetchBytes`: see StreamAssembler. */
  constructor(
    readonly node: string,
    readonly portId: string,
    private readonly consoleId: string,
    private readonly outbox: LinkOutbox,
    private readonly schedule: Schedule,
    private readonly maxFetchBytes = Infinity,
  ) {}

  /** Whether the node is connected to the broker (and lists this port). */
  get online(): boolean {
    return this.nodeOnline && this.portStatus !== null;
  }

  /** The node's latest status of this port, null before the first. */
  get remoteStatus(): PortStatus | null {
    return this.portStatus;
  }

  /** The handle factory ServedPort.open calls: this link, reporting to the port. */
  attach(onMessage: (message: FromWorker) => void): SerialHandle {
    this.onMessage = onMessage;
    this.emitStatus();
    return this;
  }

  /**
   * The port is open: its channel receives the stream from its own end on, gaps fetched from the
   * node; `store` keeps which node stream it follows (see stream-mapping.ts), null: memory only.
   */
  async bind(channel: Channel, store: MappingStore | null): Promise<void> {
    this.mapping = (await store?.load()) ?? null;
    this.mappingStore = store;
    if (this.closed) return;
    this.channel = channel;
    if (this.portStatus) this.follow(this.portStatus);
    if (this.nodeOnline) this.assembler?.nodeEnd(Math.max(this.seenEnd, this.portStatus?.stream.end ?? 0));
  }

  /** Follows the node's stream named in `status`: a new one (or the first) gets a mapping and a fresh assembler at the local end. */
  private follow(status: PortStatus): void {
    const channel = this.channel;
    if (!channel) return;
    const next = mappingFor(this.mapping, channel.end, { streamId: status.stream.id, end: status.stream.end, start: status.capture.start });
    if (this.assembler && next === this.mapping) return;
    if (next !== this.mapping) {
      if (this.mapping) channel.recordEvent({ type: 'remote-stream', node: this.node, port: this.portId, streamId: next.streamId, delta: next.delta });
      this.mapping = next;
      void this.mappingStore?.save(next).catch(() => undefined); // lost: the next start follows as if new, which loses nothing held
    }
    this.assembler?.dispose();
    const { delta } = next;
    this.assembler = new StreamAssembler(
      channel.end - delta,
      {
        append: (bytes, _offset, timeMs) => channel.appendData(bytes, timeMs),
        skip: (to, reason) => channel.skipTo(to + delta, reason),
        fetch: (from, to) => this.outbox.fetch(from, to),
      },
      this.schedule,
      undefined,
      this.maxFetchBytes,
    );
  }

  // ---- SerialHandle ----

  /** The device as the node last said, or waiting while the node is offline. */
  get status(): DeviceStatus {
    const device = this.portStatus?.device ?? offlineDevice(this.node, this.portId);
    if (this.online) return device;
    return { ...device, state: 'waiting', dtr: null, rts: null, message: `node ${this.node} is offline` };
  }

  /** Sends a command to the node as an InputRequest; answered from here at once when the node is offline. */
  post(message: ToWorker, requester?: Requester): void {
    const request = inputRequestFor(message);
    const id = 'id' in message ? message.id : undefined;
    if (request === null) return;
    if (id === undefined) {
      if (this.online) this.outbox.input({ ...request, ...(requester ? { from: fromLabel(requester) } : {}) });
      return;
    }
    if (!this.online) {
      // Never from within post() itself (the handle's contract): the command path is still recording.
      queueMicrotask(() => this.result(refusalFor(id, 'not-open', `not sent: node ${this.node} is offline`)));
      return;
    }
    const transaction = `${this.consoleId}-${id}`;
    const cancel = this.schedule(REMOTE_ANSWER_TIMEOUT_MS, () => this.answer(transaction, null));
    this.pending.set(transaction, { id, cancel });
    this.outbox.input({ ...request, transaction, ...(requester ? { from: fromLabel(requester) } : {}) });
  }

  /** Answers what is pending (the port is closing). */
  close(): Promise<void> {
    this.closed = true;
    for (const transaction of [...this.pending.keys()]) this.answer(transaction, { ok: false, code: 'not-open', message: 'the port was closed' });
    this.assembler?.dispose();
    return Promise.resolve();
  }

  // ---- from the broker ----

  /** The node's online state (its retained status, or its Last Will). */
  nodeState(online: boolean): void {
    const was = this.online;
    this.nodeOnline = online;
    if (!online) this.refuseAll(`node ${this.node} went offline`);
    this.emitStatus();
    if (this.online && !was) this.assembler?.nodeEnd(this.portStatus?.stream.end ?? 0);
  }

  /** The port's retained status: its device, and where its stream stands. */
  portState(status: PortStatus): void {
    const newStream = this.portStatus !== null && this.portStatus.stream.id !== status.stream.id;
    this.portStatus = status;
    this.seenEnd = newStream ? status.stream.end : Math.max(this.seenEnd, status.stream.end);
    this.follow(status);
    this.emitStatus();
    if (this.nodeOnline) this.assembler?.nodeEnd(status.stream.end);
  }

  /** A live or replayed frame of this port. */
  frame(frame: OutFrame): void {
    if (this.closed) return;
    const assembler = this.assembler;
    if (!assembler) {
      this.seenEnd = Math.max(this.seenEnd, frame.end);
      return;
    }
    switch (frame.kind) {
      case OutKind.live:
      case OutKind.replay:
        return assembler.data(frame.offset, frame.data, frame.timeMs);
      case OutKind.missing:
        return assembler.missing(frame.offset, frame.end);
      case OutKind.replayEnd:
        return assembler.replayEnd(frame.offset);
    }
  }

  /** A node's answer to one of this console's requests (others' transactions are not in `pending`). */
  response(response: InputResponse): void {
    if (response.transaction !== undefined) this.answer(response.transaction, response);
  }

  private answer(transaction: string, response: InputResponse | null): void {
    const pending = this.pending.get(transaction);
    if (!pending) return;
    this.pending.delete(transaction);
    pending.cancel();
    const result =
      response === null
        ? refusalFor(pending.id, 'timeout', `no answer from node ${this.node} in ${REMOTE_ANSWER_TIMEOUT_MS} ms`)
        : workerResultFor(pending.id, response);
    this.result(result);
  }

  private refuseAll(message: string): void {
    for (const transaction of [...this.pending.keys()]) this.answer(transaction, { ok: false, code: 'not-open', message: `not sent: ${message}` });
  }

  private result(message: FromWorker): void {
    this.onMessage?.(message);
  }

  /** Tells the port its device status when it changed (the registry and viewers follow). */
  private emitStatus(): void {
    const status = this.status;
    const key = JSON.stringify(status);
    if (key === this.lastStatusKey) return;
    this.lastStatusKey = key;
    this.onMessage?.({ type: 'status', status });
  }
}

/** Longest InputRequest.from a node accepts, in characters (server/mqtt/input-request.ts's MAX_FROM_CHARS). */
const MAX_FROM_CHARS = 64;

/**
 * How a console's requester is named at the node (InputRequest.from): `<name>:<role>:<way in>`, e.g.
 * `alice:operator:ws:4@192.168.1.20`, in the characters a node accepts (others become `_`), cut to 64.
 */
export function fromLabel(requester: Requester): string {
  return `${requester.name}:${requester.role ?? 'none'}:${requester.source}`.replace(/[^\w.@:-]/g, '_').slice(0, MAX_FROM_CHARS);
}

function offlineDevice(node: string, port: string): DeviceStatus {
  return { state: 'waiting', path: `${node}/${port}`, baudRate: 0, dtr: null, rts: null, charDelayMs: 0, lineDelayMs: 0 };
}
