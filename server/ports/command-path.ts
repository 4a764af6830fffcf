// The one way anything changes a port: a write, baud, signals, reset, pacing, framing, break,
// release or reopen, from a
// page, a script's WebSocket or the HTTP API. Each command is authorized, recorded in the capture
// (who sent it and when), then posted to the serial worker with a correlation id; the worker's
// answer goes back to whoever asked, and nobody else.
import type { CommandErrorCode, CommandResult } from '../wire/api.js';
import { actionOf, roleAllows, roleFor, type Role } from '../wire/roles.js';
import { DEFAULT_BREAK_MS, DEFAULT_RELEASE_MS } from '../wire/limits.js';
import type { PortCommand } from '../wire/protocol.js';
import type { ToWorker, WireError } from '../serial/messages.js';
import type { Channel } from './channel.js';

/** Default reset pulse, in ms: long enough for the Uno's auto-reset capacitor, short for a person. */
export const RESET_PULSE_MS = 100;
/**
 * Longest wait for the worker to answer a control command, in ms: a baud change or a reset pulse
 * (at most MAX_RESET_MS, 5 s) answers well within it; writes have no limit (a paced paste may take minutes).
 */
export const COMMAND_TIMEOUT_MS = 10_000;

/** A command: one of the wire's PortCommands (its wire `id` is not used here), or bytes to write. */
export type DeviceCommand = PortCommand | { type: 'write'; data: Uint8Array };

/** Who is asking: a label recorded in the capture and audit, a person's name, and their role on this port. */
export interface Requester {
  /** The way in, e.g. `ws:4@192.168.1.20`, `http@127.0.0.1`, `mqtt:bench-3`. */
  source: string;
  /** Who: a credential's name, `admin` for --token, `anonymous` (or the name a token-less page gave). */
  name: string;
  /** Their role on this port (already capped by --read-only); null: no access. */
  role: Role | null;
  /** The connection asking (a page's WebSocket id on this port), for single-writer mode; absent for HTTP and MQTT. */
  seat?: string;
}

/** Asked about every write that the role allows: a single-writer port's keyboard (keyboard.ts). */
export interface WriteGate {
  checkWrite(writer: Requester): { ok: true } | { ok: false; code: CommandErrorCode; message: string };
}

/** The worker's answer to a command with an id (see serial/messages.ts). */
export interface WorkerResult {
  id: number;
  ok: boolean;
  error?: WireError;
  written?: number;
}

/** Hears a command's outcome: its type, who sent it, for writes how many bytes, and the result. */
export type CommandObserver = (command: { type: string; source: string; bytes: number }, result: CommandResult) => void;

/**
 * Hears every command with who sent it (the audit trail, the console's inline writes). Must not throw.
 * `posting`: just posted to the worker, in the same turn (no device data or answer has come in
 * between); a write's `data` is a copy the capture keeps: read it, never modify it. The function it
 * returns, if any, hears the outcome.
 * `refused`: turned away before it was posted (the role, a device not open).
 */
export interface CommandWatcher {
  posting?(command: DeviceCommand, requester: Requester): ((result: CommandResult) => void) | void;
  refused?(command: DeviceCommand, requester: Requester, result: CommandResult): void;
}

/** What the command path needs of the device: its state (and why, e.g. until when it is released) and a way to post to its worker. */
export interface CommandTarget {
  readonly state: string;
  readonly message?: string | undefined;
  /** `requester` is who asked (a fleet console's remote port forwards it to the node; a local worker ignores it). */
  post(message: ToWorker, requester?: Requester): void;
}

interface Pending {
  resolve(result: CommandResult): void;
  timer: NodeJS.Timeout | undefined;
  source: string;
  type: string;
}

/** One port's command path. */
export class CommandPath {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly watchers = new Set<CommandWatcher>();

  /** `observe` hears every command's outcome once it is known (the log); `gate` may refuse writes (a single-writer port's keyboard). */
  constructor(
    private readonly channel: Channel,
    private readonly device: CommandTarget,
    private readonly observe?: CommandObserver,
    private readonly gate?: WriteGate,
  ) {}

  /** Adds a watcher of every command until the returned function is called. */
  watch(watcher: CommandWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Authorizes, records and posts `command`; resolves with the worker's answer (never rejects). A write's data is transferred: unusable afterwards. */
  execute(command: DeviceCommand, requester: Requester): Promise<CommandResult> {
    const bytes = command.type === 'write' ? command.data.byteLength : 0; // read now: the data is transferred
    const answered = this.run(command, requester);
    if (!this.observe) return answered;
    return answered.then((result) => {
      this.observe?.({ type: command.type, source: requester.source, bytes }, result);
      return result;
    });
  }

  private run(command: DeviceCommand, requester: Requester): Promise<CommandResult> {
    const action = actionOf(command.type);
    if (!roleAllows(requester.role, action)) {
      const message = `${command.type === 'write' ? 'writing' : command.type} needs the ${roleFor(action)} role; ${requester.name} is ${requester.role ?? 'not allowed on this port'}`;
      // A viewer (or anyone under --read-only) is told the port is read-only for them, in the words scripts already know.
      const code = requester.role === 'viewer' ? 'read-only' : 'forbidden';
      this.channel.recordEvent({ type: 'refused', command: command.type, code, message, source: requester.source });
      return this.turnedAway(command, requester, refused(code, message));
    }
    if (command.type === 'write') {
      // Control commands are not tied to the keyboard: they are admin-only by role, single writer or not.
      const gated = this.gate?.checkWrite(requester);
      if (gated && !gated.ok) {
        this.channel.recordEvent({ type: 'refused', command: 'write', code: gated.code, message: gated.message, source: requester.source });
        return this.turnedAway(command, requester, refused(gated.code, gated.message, 0));
      }
      if (this.device.state !== 'open') {
        const { state, message } = this.device;
        const why = state === 'released' && message ? `the device is ${message}` : `the device is ${state}`;
        return this.turnedAway(command, requester, refused('not-open', `not sent: ${why}`, 0));
      }
      if (command.data.byteLength === 0) return Promise.resolve({ ok: true, written: 0 });
    }
    // A write's bytes are transferred to the worker: the capture and the watchers get a copy of their own.
    const recorded: DeviceCommand = command.type === 'write' ? { type: 'write', data: command.data.slice() } : command;
    const id = this.nextId++;
    const answered = new Promise<CommandResult>((resolve) => {
      const timer =
        command.type === 'write'
          ? undefined
          : setTimeout(() => this.settle(id, refused('timeout', `no answer from the serial worker in ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer, source: requester.source, type: command.type });
      this.device.post(toWorker(command, id), requester);
    });
    // Recorded right after the post, in the same turn, so a keystroke does not wait for the audit and
    // capture (measured: ~170 µs of audit JSON and `wrote` notices per keystroke). Nothing can come
    // between: device data and the worker's answer arrive as later messages, so the records' order and
    // stream offsets are exactly what they would have been before the post.
    if (recorded.type === 'write') this.channel.recordWrite(recorded.data, requester.source);
    else this.channel.recordEvent({ type: 'command', command: recorded.type, ...commandFields(recorded), source: requester.source });
    const outcomes: Array<(result: CommandResult) => void> = [];
    for (const watcher of this.watchers) {
      const outcome = watcher.posting?.(recorded, requester);
      if (outcome) outcomes.push(outcome);
    }
    if (outcomes.length === 0) return answered;
    return answered.then((result) => {
      for (const outcome of outcomes) outcome(result);
      return result;
    });
  }

  private turnedAway(command: DeviceCommand, requester: Requester, result: CommandResult): Promise<CommandResult> {
    for (const watcher of this.watchers) watcher.refused?.(command, requester, result);
    return Promise.resolve(result);
  }

  /** The worker answered command `id`. Unknown ids (answered already, or from before a restart) are ignored. */
  onResult(result: WorkerResult): void {
    if (result.ok) {
      const ok: CommandResult = { ok: true };
      if (result.written !== undefined) ok.written = result.written;
      this.settle(result.id, ok);
      return;
    }
    const error = result.error ?? { message: 'refused' };
    this.settle(result.id, refused(errorCode(error), error.message, result.written));
  }

  /** Answers everything still waiting (the port is closing). */
  dispose(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, refused('not-open', 'the port was closed'));
  }

  private settle(id: number, result: CommandResult): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (!result.ok)
      this.channel.recordEvent({ type: 'refused', command: pending.type, code: result.code, message: result.message, source: pending.source });
    pending.resolve(result);
  }
}

function refused(code: CommandErrorCode, message: string, written?: number): CommandResult {
  const result: CommandResult = { ok: false, code, message };
  if (written !== undefined) result.written = written;
  return result;
}

/** Maps a worker error's code onto the API's codes. */
function errorCode(error: WireError): CommandErrorCode {
  switch (error.code) {
    case 'not-open':
    case 'not-sent':
    case 'closed': // the port is closing
      return 'not-open';
    case 'write-queue-full':
      return 'write-queue-full';
    // A node's own refusal of a fleet console's command (see fleet/remote-link.ts): kept as the node said it.
    case 'read-only':
    case 'forbidden':
    case 'not-holder':
    case 'bad-request':
    case 'timeout':
      return error.code;
    case 'EINVAL':
      return 'bad-request';
    // ENOTTY (a pty has no modem lines or break), ENOTSUP (the driver kept its own framing): the device's answer
    default:
      return 'device';
  }
}

/** The fields of a non-write command worth recording (everything but its type). */
function commandFields(command: Exclude<DeviceCommand, { type: 'write' }>): Record<string, unknown> {
  const { type: _type, id: _id, ...fields } = command;
  return fields;
}

function toWorker(command: DeviceCommand, id: number): ToWorker {
  switch (command.type) {
    case 'write':
      return { type: 'write', data: command.data, id };
    case 'set-baud':
      return { type: 'set-baud', baudRate: command.baudRate, id };
    case 'set-signals': {
      const message: ToWorker = { type: 'set-signals', id };
      if (command.dtr !== undefined) message.dtr = command.dtr;
      if (command.rts !== undefined) message.rts = command.rts;
      return message;
    }
    case 'reset':
      // The worker holds DTR and RTS low for pulseMs, then asserts them again (the Arduino auto-reset).
      return { type: 'set-signals', pulseMs: command.ms ?? RESET_PULSE_MS, id };
    case 'set-pacing':
      return { type: 'set-pacing', charDelayMs: command.charDelayMs, lineDelayMs: command.lineDelayMs, id };
    case 'reopen':
      return { type: 'open', id };
    case 'set-framing': {
      const { type, id: _id, ...fields } = command;
      return { type, ...fields, id };
    }
    case 'send-break':
      return { type: 'send-break', ms: command.ms ?? DEFAULT_BREAK_MS, id };
    case 'release':
      return { type: 'release', forMs: command.forMs ?? DEFAULT_RELEASE_MS, id };
    case 'reclaim':
      return { type: 'reclaim', id };
  }
}
