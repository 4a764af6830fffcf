// The HTTP API's types and paths, written once: the server's routes and the browser client both
// import this module (no `node:` imports). docs/protocol.md documents it; tests pin it.
import type { DeviceStatus } from './protocol.js';
import type { Role } from './roles.js';

/** Where a port's capture stands. `off`: the server runs without a data directory (memory only). */
export interface CaptureStatus {
  state: 'capturing' | 'paused' | 'off';
  /** Why capture is paused (disk full, directory unwritable); it resumes by itself. */
  reason?: string;
  /** Oldest stream offset that can still be read (from disk, or from memory when capture is off). */
  start: number;
  /** Arrival time of the oldest byte held, ms since the epoch; null when nothing is held. */
  startTimeMs: number | null;
  /** Size of the capture on disk, in bytes. */
  bytesOnDisk: number;
}

/** One served port, as GET /api/ports lists it and the page's picker shows it. */
export interface PortSummary {
  /** Stable id: /ws/<id>, /api/ports/<id>, the page's #/<id>. */
  id: string;
  name: string;
  device: DeviceStatus;
  /** WebSocket clients watching this port. */
  clients: number;
  /** The stream: its durable id, and the next offset (`end`). */
  stream: { id: string; end: number };
  capture: CaptureStatus;
  /** Path of this port's WebSocket. */
  wsPath: string;
  /** A fleet console's remote port: the node that serves it (absent for the console's own ports). */
  node?: string;
  /** A remote port: whether its node is connected to the broker (absent for the console's own ports). */
  online?: boolean;
}

/** A serial device the OS has (GET /api/devices), whether served or not. */
export interface DeviceInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  /** The stable /dev/serial/by-id/… link to this device, when there is one. */
  byIdPath?: string;
  /** Id of the port that serves it, when one does. */
  servedAs?: string;
}

/** The answer to a command (write, baud, signals, reset, pacing, reopen) from the HTTP API or a `result` message. */
export type CommandResult =
  | { ok: true; /** For writes: bytes that reached the device. */ written?: number }
  | { ok: false; code: CommandErrorCode; message: string; written?: number };

/** Why a command was refused or failed. */
export type CommandErrorCode =
  | 'read-only' // this server or port is watch-only for the asker (a viewer)
  | 'forbidden' // the asker's role does not allow this (e.g. an operator changing the baud)
  | 'not-holder' // a single-writer port, and someone else holds its keyboard (or nobody does)
  | 'not-open' // the device is not open (waiting, closed, restarting)
  | 'write-queue-full' // more is waiting to be written than the port's queue holds
  | 'bad-request' // a malformed or out-of-range command
  | 'device' // the device refused or failed the operation
  | 'timeout'; // no answer from the serial worker in time

/** Forms a capture download can take: raw bytes, timestamped text lines, or NDJSON records. */
export const DOWNLOAD_FORMATS = ['raw', 'text', 'ndjson'] as const;
/** One of DOWNLOAD_FORMATS. */
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];
/** What a text download does with terminal escape sequences and control characters: strip them (the default) or keep them. */
export const DOWNLOAD_ANSI_MODES = ['strip', 'keep'] as const;
/** One of DOWNLOAD_ANSI_MODES. */
export type DownloadAnsiMode = (typeof DOWNLOAD_ANSI_MODES)[number];

/** Record formats the line layer recognises: a JSON object, the Arduino plotter's `label:value`, CSV under a header, Teleplot's `>name:value`. */
export const RECORD_FORMATS = ['json', 'plotter', 'csv', 'teleplot'] as const;
/** One of RECORD_FORMATS. */
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** Event types of a port's SSE stream (GET /api/ports/ID/events); `?types=` picks some. */
export const SSE_EVENT_TYPES = ['line', 'record', 'status', 'gap', 'filters', 'write'] as const;
/** One of SSE_EVENT_TYPES. */
export type SseEventType = (typeof SSE_EVENT_TYPES)[number];
/**
 * Each SSE event type's `data` (one line of JSON): `line` LineData, `record` RecordData, `status`
 * DeviceStatus, `gap` GapData, `filters` the port's PortFilters (first as they stand, then on every
 * change), `write` a WriteNote (a write to the port by anyone). `status`, `filters` and `write` carry
 * no id, so a client's resume point stays where its lines left it.
 */
export interface SseEventData {
  line: LineData;
  record: RecordData;
  status: DeviceStatus;
  gap: GapData;
  filters: PortFilters;
  write: WriteNote;
}
/** One SSE event as a client reads it: its type and its parsed data. */
export type SseEvent = { [T in SseEventType]: { type: T; data: SseEventData[T] } }[SseEventType];

/**
 * One line the device printed (SSE `line` event, and each line of a send's reply). `offset` is its
 * first byte's stream offset, `endOffset` one past its line ending; `time`/`timeMs` the arrival of
 * its first byte. A `partial` line (a prompt, shown after a quiet pause) comes again, complete and
 * with the same `offset`, once it ends. `cut`: it ended without a line ending (`max-length`: 4 KiB;
 * `gap`: the stream broke off there).
 */
export interface LineData {
  offset: number;
  endOffset: number;
  /** ISO 8601, UTC. */
  time: string;
  /** ms since the epoch. */
  timeMs: number;
  text: string;
  partial: boolean;
  cut?: 'max-length' | 'gap';
}

/** A line that carried data (SSE `record` event): its fields by name (nested JSON keys joined with dots), their units where the line gave them. */
export interface RecordData {
  /** The line's offsets and arrival time. */
  offset: number;
  endOffset: number;
  timeMs: number;
  format: RecordFormat;
  fields: Record<string, number | string | boolean>;
  units?: Record<string, string>;
  /** Timestamps the device put in the line (Teleplot), as given. */
  deviceTimeMs?: Record<string, number>;
}

/** Stream offsets [from, to) whose lines cannot be delivered (SSE `gap` event): no longer kept, never captured, or lost in a crash. */
export interface GapData {
  from: number;
  to: number;
}

/** Line endings a send can append: LF (default), CR, CRLF, or none. */
export const LINE_ENDINGS = ['lf', 'cr', 'crlf', 'none'] as const;
/** One of LINE_ENDINGS. */
export type LineEnding = (typeof LINE_ENDINGS)[number];

/** Body of POST /api/ports/ID/send: a command line, and when to stop collecting the board's reply. */
export interface SendRequest {
  line: string;
  ending?: LineEnding;
  until?: {
    /** The reply ends after this long without a byte from the device. */
    quietMs?: number;
    /** The reply ends at a line (or partial line) that is this text (trailing spaces ignored); without it, at any partial line. */
    prompt?: string;
    /** The reply ends after this long in any case. */
    timeoutMs?: number;
  };
}

/** Why a reply ended: a quiet period, a prompt, the timeout, or the reply size limit. */
export type ReplyEnd = 'quiet' | 'prompt' | 'timeout' | 'limit';

/** The answer to POST /api/ports/ID/send: the line was written and the board replied with `reply`; or why it was refused (as POST /write). */
export type SendResult =
  | { ok: true; written: number; reply: LineData[]; endedBy: ReplyEnd }
  | { ok: false; code: CommandErrorCode; message: string; error: string; written?: number };

/** One series over a range (GET /api/ports/ID/series), min/max decimated: parallel arrays, times in ms since the epoch. `count`: raw points in the range. */
export interface SeriesData {
  name: string;
  times: number[];
  values: number[];
  count: number;
}

/** GET /api/ports/ID/series: every series name the port has, and the ones asked for over [from, to] (ms since the epoch). */
export interface SeriesResponse {
  names: string[];
  from: number;
  to: number;
  series: SeriesData[];
}

/** The newest value of one field, with its arrival time and unit when known. */
export interface LatestField {
  name: string;
  value: number | string | boolean;
  timeMs: number;
  unit?: string;
}

/** What the port's line reader has read: complete lines, how many were records (by format) and text, partials shown, bytes it could not read. */
export interface LinesStats {
  lines: number;
  records: number;
  text: number;
  byFormat: Record<RecordFormat, number>;
  partials: number;
  gapBytes: number;
  /** Next stream offset the reader will frame. */
  offset: number;
}

/** GET /api/ports/ID/latest: the newest value of every field, and the line reader's counts. */
export interface LatestResponse {
  fields: LatestField[];
  stats: LinesStats;
}

/** GET /api/status: the first port, in the shape scripts used before there were several ports. */
export interface LegacyStatus {
  port: string;
  device: DeviceStatus;
  clients: number;
  stream: { id: string; start: number; end: number };
  capture: CaptureStatus;
  readOnly: boolean;
}

/** API paths, built in one place for the server's router and the client. */
/** What a console filter does to the lines it matches: hide them, show only matching lines, or colour them. */
export const FILTER_ACTIONS = ['hide', 'only', 'highlight'] as const;
/** A filter's action. */
export type FilterAction = (typeof FILTER_ACTIONS)[number];
/** The palette a highlight is coloured from (the page maps each name to a colour of its theme). */
export const FILTER_COLOURS = ['yellow', 'red', 'green', 'blue', 'magenta', 'cyan'] as const;
/** A highlight's colour. */
export type FilterColour = (typeof FILTER_COLOURS)[number];
/** Most filters a port keeps: each runs on every line in every page, so the list stays short. */
export const MAX_FILTERS_PER_PORT = 32;
/** Longest pattern, in characters: enough for any real match, short enough that compiling one is cheap. */
export const MAX_FILTER_PATTERN_CHARS = 200;
/** Longest filter id, in characters. */
export const MAX_FILTER_ID_CHARS = 40;

/**
 * One console filter of a port (GET/PUT /api/ports/ID/filters): `pattern` is a JavaScript regular
 * expression's source, `flags` '' or 'i'. Filters change what the page's Lines view shows, never the
 * capture, the byte stream or the raw console. The server compiles a pattern to check it but never runs it.
 */
export interface LineFilter {
  /** Unique within the port: letters, digits, '-' and '_'. */
  id: string;
  pattern: string;
  flags: '' | 'i';
  action: FilterAction;
  /** Colour of a highlight (ignored by hide and only). */
  colour: FilterColour;
  /** A disabled filter is kept but not applied. */
  enabled: boolean;
}

/** Body of PUT /api/ports/ID/filters: the port's whole list, replacing the old one. */
export interface FiltersRequest {
  filters: LineFilter[];
}

/** A port's filters (GET and PUT /api/ports/ID/filters). */
export interface PortFilters {
  filters: LineFilter[];
  /** false when the server has no data directory (--no-capture): the filters last until it stops. */
  persisted: boolean;
  /** When the list was last replaced, ms since the epoch; null if never. */
  updatedMs: number | null;
}

export const apiPaths = {
  ports: '/api/ports',
  port: (id: string) => `/api/ports/${encodeURIComponent(id)}`,
  write: (id: string) => `/api/ports/${encodeURIComponent(id)}/write`,
  command: (id: string) => `/api/ports/${encodeURIComponent(id)}/command`,
  download: (id: string) => `/api/ports/${encodeURIComponent(id)}/download`,
  /** Server-Sent Events: lines, records, status, gaps. */
  events: (id: string) => `/api/ports/${encodeURIComponent(id)}/events`,
  /** A command line, answered with the board's reply. */
  send: (id: string) => `/api/ports/${encodeURIComponent(id)}/send`,
  series: (id: string) => `/api/ports/${encodeURIComponent(id)}/series`,
  latest: (id: string) => `/api/ports/${encodeURIComponent(id)}/latest`,
  /** The port's console filters (GET, PUT). */
  filters: (id: string) => `/api/ports/${encodeURIComponent(id)}/filters`,
  devices: '/api/devices',
  /** The first port's status, as before several ports (kept for scripts). */
  legacyStatus: '/api/status',
  /** Writes to the first port, as before several ports (kept for scripts). */
  legacyWrite: '/api/write',
  /** The OpenAPI 3.1 document of this API. */
  openapi: '/api/openapi.json',
  /** POST: a short-lived single-use ticket for a WebSocket or EventSource URL (`?ticket=`). */
  tickets: '/api/tickets',
  /** Who the asker is, and their role on each port they may see. */
  me: '/api/me',
  /** The audit log as NDJSON (admins; see AuditQuery). */
  audit: '/api/audit',
  /** The port's recent writes with their authors, for the console's inline writes (see WriteNote). */
  writes: (id: string) => `/api/ports/${encodeURIComponent(id)}/writes`,
} as const;

/** POST /api/tickets: put `ticket` in a WebSocket or EventSource URL as `?ticket=`; it works once, within `expiresInMs`. */
export interface TicketResponse {
  ticket: string;
  expiresInMs: number;
}

/** GET /api/me: who the asker is (a token's name, `admin`, `anonymous`) and their role on each port they may see. */
export interface WhoAmI {
  name: string;
  via: 'token' | 'anonymous';
  roles: Record<string, Role>;
}

/**
 * Query of a download: a range by offset (`from`, `to`) or by time (`since`, `until`: ISO 8601 or
 * ms since the epoch), or the last `last` seconds; `format` (default text). Offsets win over times.
 * `ansi` (text only, default strip): whether colours, cursor moves and other control characters stay.
 */
export interface DownloadQuery {
  format?: DownloadFormat;
  ansi?: DownloadAnsiMode;
  from?: number;
  to?: number;
  since?: string;
  until?: string;
  last?: number;
}

/** Builds a download URL (relative to the page) for `query`. */
export function downloadUrl(portId: string, query: DownloadQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const search = params.toString();
  return `${apiPaths.download(portId).slice(1)}${search ? `?${search}` : ''}`;
}

/**
 * A write as the console shows it inline (`alice> G28`): sent live as the `wrote` control message and
 * the SSE `write` event, and listed by GET /api/ports/:id/writes after a reload.
 */
export interface WriteNote {
  /** The stream offset the write came at: the page shows it after the output before this offset. */
  offset: number;
  /** Where the write begins in the port's written bytes (a count over the port's life, as in the audit): names it once. */
  writeOffset: number;
  /** Who wrote it (a token's name, `admin`, `anonymous`). */
  name: string;
  /** The way in (`ws:4@192.168.1.20`, `http@…`). */
  source: string;
  /** A printable preview: control characters escaped, a trailing line ending dropped, at most 200 characters. */
  text: string;
  /** When, in ms since the epoch. */
  timeMs: number;
}

/** GET /api/ports/:id/writes: the port's recent writes from stream offset `from` on, oldest first. */
export interface WritesResponse {
  writes: WriteNote[];
}

/** The query of GET /api/audit: entries from `since` to before `until` (times), of one port, by one person. */
export interface AuditQuery {
  since?: string;
  until?: string;
  port?: string;
  who?: string;
}
