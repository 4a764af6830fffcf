// The audit trail's vocabulary: one entry per line of the log (JSON), what each kind carries, and the
// log's size and age limits with their defaults. docs/security.md (## Audit) documents the format.

/** What an entry records. */
export type AuditKind =
  /** Bytes about to be posted to the device: before they go, so a crash cannot lose a write that happened. */
  | 'write'
  /** How a write ended: how many of its bytes reached the device. */
  | 'write-result'
  /** A control change (baud, framing, signals, reset, pacing, break, release, reclaim, reopen) with its result. */
  | 'control'
  /** Something refused: a command (role, device not open), an API request (403), a WebSocket (no access to the port). */
  | 'refused'
  /** A WebSocket or SSE client began watching a port. */
  | 'attach'
  /** ...and went. */
  | 'detach'
  /** A wrong token or ticket. */
  | 'login-failed'
  /** An address locked out after too many failed logins. */
  | 'lockout'
  /** The first line of each file: each port's write offset so far. */
  | 'audit-file'
  /** The log (re)opened: the server started; carries each port's write offset so far. */
  | 'audit-start'
  /** The log wrote again after a pause (a full disk): what was dropped meanwhile. */
  | 'audit-resume';

/** Every AuditKind, for schemas and checks. */
export const AUDIT_KINDS = ['write', 'write-result', 'control', 'refused', 'attach', 'detach', 'login-failed', 'lockout', 'audit-file', 'audit-start', 'audit-resume'] as const satisfies readonly AuditKind[];

/** One line of the audit log. */
export interface AuditEntry {
  /** When, as an ISO 8601 UTC time with milliseconds. */
  time: string;
  /** The port it concerns; null for the server as a whole (logins, the log itself). */
  port: string | null;
  /** Who: a credential's name, `admin` (--token), `anonymous`; null when nobody was identified (a failed login). */
  who: string | null;
  /** The way in: `ws:4@192.168.1.20`, `http@127.0.0.1`, `sse@…`, `mqtt:…`, `login@<address>`, `server`. */
  source: string;
  kind: AuditKind;
  /** What happened, by kind (see docs/security.md). Never a token. */
  details: Record<string, unknown>;
}

/** Where and how much audit is kept (resolved config; docs/config.md `audit`). */
export interface AuditSettings {
  /** A file is closed and a new one begun past this size, in bytes. */
  fileBytes: number;
  /** ...or once it is this old, in ms. */
  fileAgeMs: number;
  /** Most bytes kept over all files; the oldest are deleted first. */
  totalBytes: number;
  /** Without a data directory: most bytes of entries kept in memory (the newest). */
  memoryBytes: number;
}

const MiB = 1024 ** 2;

/** Defaults for a Pi's SD card, each with its reason; docs/config.md shows them. */
export const AUDIT_DEFAULTS: Readonly<AuditSettings> = Object.freeze({
  // 4 MiB: a download of one file is quick over Wi-Fi, and retention frees space in small steps. A typed
  // line costs ~2 entries of ~300 bytes, so a file holds ~7,000 typed lines.
  fileBytes: 4 * MiB,
  // A day: each file covers at most one day, so "what happened on Tuesday" is one or two files.
  fileAgeMs: 86_400_000,
  // 64 MiB: ~100,000 typed lines or months of a lab's attaches and commands; beside four ports' 64 MiB
  // captures it keeps serialdeck's share of an SD card modest, and the card's writes bounded.
  totalBytes: 64 * MiB,
  // 1 MiB of JSON in memory (no data directory): the last few thousand entries, bounded on the smallest Pi.
  memoryBytes: 1 * MiB,
});
