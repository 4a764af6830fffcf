// One served port, assembled: its capture on disk, its channel, its serial worker and its command
// path. It turns the worker's messages into channel data, recorded events and notices for whoever
// listens (the WebSocket fan-out, the registry), and knows nothing of sockets or HTTP.
import { join } from 'node:path';
import { CaptureStore, DEFAULT_CAPTURE_LIMITS } from '../capture/capture-store.js';
import type { PortConfig } from '../config-types.js';
import { PortLines } from '../lines/port-lines.js';
import { createSerialHandle, type SerialHandle } from '../serial/handle.js';
import type { FromWorker, SerialOptions, ToWorker } from '../serial/messages.js';
import type { PortSummary } from '../wire/api.js';
import { wsPathFor, type DeviceStatus } from '../wire/protocol.js';
import { Channel } from './channel.js';
import { CommandPath, type CommandObserver, type Requester } from './command-path.js';
import { Keyboard } from './keyboard.js';

/** Smallest segment, in bytes: below this the per-file overhead (sidecar index, open/close) outweighs finer retention. */
const MIN_SEGMENT_BYTES = 64 * 1024;
/** Segments per retention budget at least: retention deletes whole segments, so each must be a small part of what is kept. */
const SEGMENTS_PER_RETENTION = 8;

/** Segment size for a retention budget: the capture's default, or smaller so retention can keep close to its budget. */
export function segmentBytesFor(retainBytes: number): number {
  return Math.min(DEFAULT_CAPTURE_LIMITS.segmentMaxBytes, Math.max(MIN_SEGMENT_BYTES, Math.floor(retainBytes / SEGMENTS_PER_RETENTION)));
}

/** What a port tells its listeners besides data (data goes through its channel). */
export interface PortListener {
  /** The device's status changed (open, waiting, baud, signals…). */
  status?(device: DeviceStatus): void;
  /** A device-side problem that no single requester caused (a refused ioctl on open, a failed reopen). */
  error?(message: string): void;
  /** A command's outcome, once known (for the log). */
  command?: CommandObserver;
}

/** How a port is built: where captures live, how to log, and (for tests) how to start its worker. */
export interface ServedPortDeps {
  /** Directory of all captures (this port's is `<dataDir>/ports/<id>`); null: no capture. */
  dataDir: string | null;
  log(line: string): void;
  createHandle?: typeof createSerialHandle;
  /** Where the port is served from, for its summary: a fleet console's remote ports name their node and whether it is online. */
  origin?(): { node: string; online: boolean };
}

/** A port in service. Close it to stop its worker and close its capture cleanly. */
export class ServedPort {
  private readonly listeners = new Set<PortListener>();
  private closing: Promise<void> | undefined;
  // Both set by start(), right after construction: the worker's handle and the commands that post to it.
  private handle!: SerialHandle;
  private commandPath!: CommandPath;
  private lineReader: { lines: PortLines; ready: Promise<void> } | null = null;
  private origin: ServedPortDeps['origin'];
  /** Who may type on a single-writer port; here, not in the fan-out, because HTTP and MQTT writes reach the same command path. */
  readonly keyboard: Keyboard;

  private constructor(
    readonly config: PortConfig,
    readonly channel: Channel,
    private readonly capture: CaptureStore | null,
    private readonly log: (line: string) => void,
  ) {
    this.keyboard = new Keyboard(config.writers);
    // Each handover goes into the capture, as conserver marks attach, detach and force-attach in its log.
    this.keyboard.listen((state, change) => channel.recordEvent({ type: 'keyboard', ...change, holder: state.holder?.name ?? null }));
  }

  /** Opens the capture (recovering it after a crash), then starts the worker, which opens the device at once. */
  static async open(config: PortConfig, deps: ServedPortDeps): Promise<ServedPort> {
    const capture = deps.dataDir
      ? await CaptureStore.open({
          ...DEFAULT_CAPTURE_LIMITS,
          dir: join(deps.dataDir, 'ports', config.id),
          retainBytes: config.retention.bytes,
          segmentMaxBytes: segmentBytesFor(config.retention.bytes),
          retainAgeMs: config.retention.ageMs,
          log: (line) => deps.log(`${config.id}: ${line}`),
          // A remote port's offsets are its node's: after a crash, resume where the capture ends and fetch the rest.
          ...(deps.origin ? { offsetsFromElsewhere: true } : {}),
        })
      : null;
    const channel = new Channel(config.scrollbackBytes, capture);
    const port = new ServedPort(config, channel, capture, deps.log);
    port.origin = deps.origin;
    const lost = capture?.lostOnOpen;
    channel.recordEvent({ type: 'server-start', offset: channel.end, ...(lost ? { lostFrom: lost.from, lostTo: lost.to } : {}) });
    port.start(deps.createHandle ?? createSerialHandle);
    return port;
  }

  /** The port's id (URL segment, capture directory). */
  get id(): string {
    return this.config.id;
  }

  /** The device's latest status. */
  get device(): DeviceStatus {
    return this.handle.status;
  }

  /** The command path every write and setting change goes through. */
  get commands(): CommandPath {
    return this.commandPath;
  }

  /**
   * The port's line reader (lines, records, series), made on first use by an SSE stream, a send or
   * the series API, then kept until close(): a port nobody reads lines of pays nothing for them.
   */
  lines(): PortLines {
    return this.startLines().lines;
  }

  /** Resolves once the line reader (made now if need be) has read the last hour's backfill and caught up; never rejects. */
  linesReady(): Promise<void> {
    return this.startLines().ready;
  }

  private startLines(): { lines: PortLines; ready: Promise<void> } {
    if (this.lineReader) return this.lineReader;
    const lines = new PortLines(this.channel, { onError: (error) => this.log(`${this.id}: lines: ${String(error)}`) });
    if (this.closing) lines.close(); // asked for while the port closes: an empty reader that reads nothing
    const ready = lines.start().catch((error: unknown) => this.log(`${this.id}: lines: ${String(error)}`));
    this.lineReader = { lines, ready };
    return this.lineReader;
  }

  /** The port as the API lists it; `clients` comes from whoever counts the connections. */
  summary(clients: number): PortSummary {
    return {
      id: this.config.id,
      name: this.config.name,
      device: this.device,
      clients,
      stream: { id: this.channel.streamId, end: this.channel.end },
      capture: this.channel.captureStatus,
      wsPath: wsPathFor(this.config.id),
      ...this.origin?.(),
    };
  }

  /** Hears status changes and device errors until the returned function is called. */
  listen(listener: PortListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the worker (closing the device), answers pending commands, closes the capture cleanly; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.handle.close();
      this.lineReader?.lines.close();
      this.commandPath.dispose();
      this.channel.recordEvent({ type: 'server-stop', offset: this.channel.end });
      this.channel.dispose();
      await this.capture?.close();
      this.listeners.clear();
    })();
    return this.closing;
  }

  private start(create: typeof createSerialHandle): void {
    const { config } = this;
    const options: SerialOptions = {
      path: config.path,
      baudRate: config.baudRate,
      dtr: config.dtr,
      rts: config.rts,
      charDelayMs: config.charDelayMs,
      lineDelayMs: config.lineDelayMs,
      dataBits: config.dataBits,
      parity: config.parity,
      stopBits: config.stopBits,
      flow: config.flow,
    };
    if (config.match) options.match = { ...config.match };
    this.handle = create(options, (message) => this.onWorkerMessage(message));
    const handle = this.handle;
    const target = {
      get state() {
        return handle.status.state;
      },
      get message() {
        return handle.status.message;
      },
      post: (message: ToWorker, requester?: Requester) => handle.post(message, requester),
    };
    this.commandPath = new CommandPath(
      this.channel,
      target,
      (command, result) => {
        for (const listener of this.listeners) listener.command?.(command, result);
      },
      this.keyboard,
    );
  }

  private onWorkerMessage(message: FromWorker): void {
    switch (message.type) {
      case 'data':
        this.channel.appendData(message.data, message.timeMs);
        return;
      case 'status': {
        const { state, path, baudRate, dtr, rts, framing, signals, releasedUntilMs, message: detail } = message.status;
        this.channel.recordEvent({
          type: 'device',
          state,
          path,
          baudRate,
          dtr,
          rts,
          ...(framing ? { framing } : {}),
          ...(signals ? { signals } : {}),
          ...(releasedUntilMs === undefined ? {} : { releasedUntilMs }),
          ...(detail ? { message: detail } : {}),
        });
        for (const listener of this.listeners) listener.status?.(message.status);
        return;
      }
      case 'error':
        this.channel.recordEvent({ type: 'device-error', message: message.error.message, code: message.error.code ?? null });
        for (const listener of this.listeners) listener.error?.(message.error.message);
        return;
      case 'result':
        this.commandPath.onResult(message);
        return;
      case 'closed':
        return;
    }
  }
}
