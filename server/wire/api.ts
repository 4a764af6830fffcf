// The HTTP API's types and paths, written once: the server's routes and the browser client both
// import this module (no `node:` imports). docs/protocol.md documents it; tests pin it.
import type { DeviceStatus } from './protocol.js';

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
  | 'read-only' // this server or port is watch-only
  | 'not-open' // the device is not open (waiting, closed, restarting)
  | 'write-queue-full' // more is waiting to be written than the port's queue holds
  | 'bad-request' // a malformed or out-of-range command
  | 'device' // the device refused or failed the operation
  | 'timeout'; // no answer from the serial worker in time

/** Forms a capture download can take: raw bytes, timestamped text lines, or NDJSON records. */
export const DOWNLOAD_FORMATS = ['raw', 'text', 'ndjson'] as const;
/** One of DOWNLOAD_FORMATS. */
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

/** API paths, built in one place for the server's router and the client. */
export const apiPaths = {
  ports: '/api/ports',
  port: (id: string) => `/api/ports/${encodeURIComponent(id)}`,
  write: (id: string) => `/api/ports/${encodeURIComponent(id)}/write`,
  command: (id: string) => `/api/ports/${encodeURIComponent(id)}/command`,
  download: (id: string) => `/api/ports/${encodeURIComponent(id)}/download`,
  devices: '/api/devices',
  /** The first port's status, as before several ports (kept for scripts). */
  legacyStatus: '/api/status',
  /** Writes to the first port, as before several ports (kept for scripts). */
  legacyWrite: '/api/write',
} as const;

/**
 * Query of a download: a range by offset (`from`, `to`) or by time (`since`, `until`: ISO 8601 or
 * ms since the epoch), or the last `last` seconds; `format` (default text). Offsets win over times.
 */
export interface DownloadQuery {
  format?: DownloadFormat;
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
