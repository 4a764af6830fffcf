// The audit trail of one server: what happened, who did it and how they came in, as one JSON line
// per entry in the audit store (files under <dataDir>/audit/, or memory without a data directory).
// Fed by the command path (writes before they go, their outcomes, control changes, refusals), the
// WebSocket gateway and the SSE route (attach, detach), the API (403s) and the access policy (failed
// logins, lockouts). Read back, filtered, by GET /api/audit. Never given a token.
import { join } from 'node:path';
import type { CommandWatcher, DeviceCommand, Requester } from '../ports/command-path.js';
import type { CommandResult, WriteNote } from '../wire/api.js';
import { AuditLog, type AuditGap } from './audit-log.js';
import { FileAuditStore, MemoryAuditStore, type AuditStore } from './audit-store.js';
import type { AuditEntry, AuditKind, AuditSettings } from './audit-types.js';
import { recoverWriteOffsets, type WriteOffsets } from './write-offsets.js';
import { previewText, toBase64 } from './write-text.js';

/**
 * How long entries wait before they are encoded and handed to the store, in ms. A keystroke's
 * entries (its bytes in base64 and as text, JSON) cost the main thread ~50-100 µs; done at once they
 * competed for the CPU with the keystroke on its way to the device (on a 2-core Pi or a busy box);
 * 1 ms later it has arrived. Far below the store's own flush period (AUDIT_FLUSH_MS), so what a
 * crash can lose hardly changes. Readers, flush() and close() take the waiting entries first.
 */
export const AUDIT_ENCODE_DELAY_MS = 1;
/** Most entries waiting to be encoded before they are encoded at once: bounds the queue under a flood of writes. */
const AUDIT_QUEUE_MAX_ENTRIES = 512;

/** What the trail is built from. */
export interface AuditTrailOptions {
  /** The server's data directory (the log is `<dataDir>/audit/`); null: memory only. */
  dataDir: string | null;
  settings: AuditSettings;
  /** The server's log, for the audit's own problems. */
  log(line: string): void;
  now?: () => number;
  /** For tests: the log's flush and retry periods. */
  flushMs?: number;
  retryMs?: number;
}

/** Which entries a reader wants, and which they may see. */
export interface AuditFilter {
  sinceMs?: number | null;
  untilMs?: number | null;
  port?: string | null;
  who?: string | null;
  /** May the reader see entries of this port (null: the server-wide ones)? */
  visible(port: string | null): boolean;
}

/** Hears every write as the console shows it inline. */
export type WriteNoteListener = (port: string, note: WriteNote) => void;

/** One server's audit trail. Open with AuditTrail.open(); close() flushes it. */
export class AuditTrail {
  private readonly now: () => number;
  private readonly writeListeners = new Set<WriteNoteListener>();
  /** Entries made but not yet encoded into the store, oldest first (a write's is built when encoded). */
  private queued: Array<AuditEntry | (() => AuditEntry)> = [];
  private encodeTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly store: AuditStore,
    private readonly offsets: WriteOffsets,
    now: (() => number) | undefined,
  ) {
    this.now = now ?? Date.now;
  }

  /** Opens the store (restoring each port's write offset from the newest file) and records the start. Never rejects: a disk problem pauses the log. */
  static async open(options: AuditTrailOptions): Promise<AuditTrail> {
    if (options.dataDir === null) {
      const trail = new AuditTrail(new MemoryAuditStore(options.settings.memoryBytes), new Map(), options.now);
      trail.server('audit-start', { store: 'memory', memoryBytes: options.settings.memoryBytes });
      return trail;
    }
    let trail: AuditTrail | null = null;
    const log = await AuditLog.open({
      dir: join(options.dataDir, 'audit'),
      limits: options.settings,
      log: options.log,
      fileHeader: () => trail?.line(trail.entry(null, null, 'server', 'audit-file', { writeOffsets: trail.offsetsObject() })),
      resumed: (gap: AuditGap) => trail?.server('audit-resume', { reason: gap.reason, pausedAt: new Date(gap.sinceMs).toISOString(), dropped: gap.dropped }),
      ...(options.now ? { now: options.now } : {}),
      ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
      ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
    });
    const offsets = await recoverWriteOffsets(await log.files());
    trail = new AuditTrail(new FileAuditStore(log), offsets, options.now);
    trail.server('audit-start', { store: 'files', writeOffsets: trail.offsetsObject() });
    return trail;
  }

  /** Writing, or paused (a full disk). */
  get state(): AuditStore['state'] {
    return this.store.state;
  }

  /** Hears every write (for the console's inline writes) until the returned function is called. */
  onWrite(listener: WriteNoteListener): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /**
   * The command path's watcher for port `port`: records each write (its bytes, exactly, before they
   * go) and its outcome, each control change with its result, and each refusal. `streamEnd` is the
   * port's stream offset now (where a write falls in the output).
   */
  commandWatcher(port: string, streamEnd: () => number): CommandWatcher {
    return {
      posting: (command, requester) => {
        if (command.type !== 'write') return (result) => this.record(port, requester, 'control', { command: command.type, ...fieldsOf(command), ...outcome(result) });
        const data = command.data;
        const writeOffset = this.offsets.get(port) ?? 0;
        this.offsets.set(port, writeOffset + data.byteLength);
        const streamOffset = streamEnd();
        const timeMs = this.now();
        // Built when encoded: `data` is the capture's copy, never modified.
        this.add(() =>
          this.entry(port, requester.name, requester.source, 'write', { writeOffset, length: data.byteLength, streamOffset, base64: toBase64(data), text: previewText(data) }, timeMs),
        );
        if (this.writeListeners.size > 0) {
          const note: WriteNote = { offset: streamOffset, writeOffset, name: requester.name, source: requester.source, text: previewText(data, undefined, true), timeMs };
          for (const listener of this.writeListeners) listener(port, note);
        }
        const length = data.byteLength;
        return (result) => this.record(port, requester, 'write-result', { writeOffset, length, written: result.written ?? (result.ok ? length : 0), ...outcome(result) });
      },
      refused: (command, requester, result) => {
        const length = command.type === 'write' ? { length: command.data.byteLength } : {};
        this.record(port, requester, 'refused', { command: command.type, ...length, ...outcome(result) });
      },
    };
  }

  /** A client began watching `port` (`via`: ws or sse). */
  attached(port: string, who: string, source: string, details: Record<string, unknown>): void {
    this.add(this.entry(port, who, source, 'attach', details));
  }

  /** ...and went. */
  detached(port: string, who: string, source: string, details: Record<string, unknown>): void {
    this.add(this.entry(port, who, source, 'detach', details));
  }

  /** A request refused for its role or access (an API 403, a WebSocket to a port the asker may not watch). */
  refused(port: string | null, who: string | null, source: string, details: Record<string, unknown>): void {
    this.add(this.entry(port, who, source, 'refused', details));
  }

  /** A wrong token or ticket from `address`; `lockedOutMs` > 0: this failure locked the address out. */
  failedLogin(address: string, reason: string, lockedOutMs: number): void {
    const source = `login@${address}`;
    this.add(this.entry(null, null, source, 'login-failed', { address, reason }));
    if (lockedOutMs > 0) this.add(this.entry(null, null, source, 'lockout', { address, durationMs: lockedOutMs }));
  }

  /** The entries `filter` asks for and allows, each a line of JSON with its newline, oldest first; stops when `signal` aborts. */
  async *lines(filter: AuditFilter, signal?: AbortSignal): AsyncIterable<string> {
    this.encodeQueued();
    const since = filter.sinceMs ?? null;
    for await (const line of this.store.lines(since, signal)) {
      let entry: AuditEntry;
      try {
        entry = JSON.parse(line) as AuditEntry;
      } catch {
        continue; // a torn line after a crash
      }
      if (!filter.visible(entry.port)) continue;
      if (filter.port != null && entry.port !== filter.port) continue;
      if (filter.who != null && entry.who !== filter.who) continue;
      if (since !== null || filter.untilMs != null) {
        const ms = Date.parse(entry.time);
        if (since !== null && ms < since) continue;
        if (filter.untilMs != null && ms >= filter.untilMs) continue;
      }
      yield `${line}\n`;
    }
  }

  /** Writes what is waiting (tests and downloads see every entry after this). */
  flush(): Promise<void> {
    this.encodeQueued();
    return this.store.flush();
  }

  /** Flushes and closes the log; safe to call twice. */
  close(): Promise<void> {
    this.encodeQueued();
    return this.store.close();
  }

  private record(port: string, requester: Requester, kind: AuditKind, details: Record<string, unknown>): void {
    this.add(this.entry(port, requester.name, requester.source, kind, details));
  }

  private server(kind: AuditKind, details: Record<string, unknown>): void {
    this.add(this.entry(null, null, 'server', kind, details));
  }

  private entry(port: string | null, who: string | null, source: string, kind: AuditKind, details: Record<string, unknown>, timeMs = this.now()): AuditEntry {
    return { time: new Date(timeMs).toISOString(), port, who, source, kind, details };
  }

  private line(entry: AuditEntry): string {
    return JSON.stringify(entry);
  }

  /** Queues an entry (or its maker) to be encoded in order within AUDIT_ENCODE_DELAY_MS. */
  private add(entry: AuditEntry | (() => AuditEntry)): void {
    this.queued.push(entry);
    if (this.queued.length >= AUDIT_QUEUE_MAX_ENTRIES) this.encodeQueued();
    else this.encodeTimer ??= setTimeout(() => this.encodeQueued(), AUDIT_ENCODE_DELAY_MS).unref();
  }

  /** Encodes every waiting entry into the store, oldest first. */
  private encodeQueued(): void {
    clearTimeout(this.encodeTimer);
    this.encodeTimer = undefined;
    const queued = this.queued;
    this.queued = [];
    for (const entry of queued) this.store.append(this.line(typeof entry === 'function' ? entry() : entry));
  }

  private offsetsObject(): Record<string, number> {
    return Object.fromEntries(this.offsets);
  }
}

/** A command's outcome as an entry records it. */
function outcome(result: CommandResult): Record<string, unknown> {
  return result.ok ? { ok: true } : { ok: false, code: result.code, message: result.message };
}

/** A control command's settings (everything but its type and wire id). */
function fieldsOf(command: Exclude<DeviceCommand, { type: 'write' }>): Record<string, unknown> {
  const { type: _type, id: _id, ...fields } = command as Exclude<DeviceCommand, { type: 'write' }> & { id?: number };
  return fields;
}
