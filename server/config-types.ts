// The shape of a resolved configuration: what start() needs, with every default filled in.
// Resolved by config.ts from flags, environment and an optional config file; documented in docs/config.md.

/** A USB identity that names a port instead of a path: survives re-enumeration under another ttyACM name. */
export type { UsbMatch } from './serial/messages.js';
import type { AuditSettings } from './audit/audit-types.js';
import type { UsbMatch } from './serial/messages.js';
import type { DataBits, FlowControl, Parity, StopBits } from './wire/limits.js';
import type { MqttConfig } from './config-mqtt.js';
import type { FleetConfig } from './config-fleet.js';
import type { Credential } from './access/credentials.js';
import type { LockoutSettings } from './access/login-lockout.js';
import type { Role } from './wire/roles.js';
import type { WritersMode } from './wire/protocol.js';

/** How long and how much of a port's capture is kept on disk. */
export interface Retention {
  /** Oldest segments are deleted while the port's capture is larger than this, in bytes. */
  bytes: number;
  /** ...and segments older than this, in ms. */
  ageMs: number;
}

/** One served serial port, every field resolved. */
export interface PortConfig {
  /** Stable id: URL segment (/ws/<id>, /api/ports/<id>, #/<id>) and capture directory name. [a-z0-9][a-z0-9._-]{0,63}. */
  id: string;
  /** What people see in the picker. */
  name: string;
  /** Device path, `demo` for the built-in demo board; with `match`, a label such as usb:2341:0043. */
  path: string;
  /** Open whichever device has this USB identity (path is then only a label). */
  match: UsbMatch | null;
  baudRate: number;
  /** Assert DTR / RTS after open (false: do not reset an Arduino on open, where the driver allows it). */
  dtr: boolean;
  rts: boolean;
  /** Write pacing in ms after each byte / after each line ending. */
  charDelayMs: number;
  lineDelayMs: number;
  /** Character framing: data bits (5..8), parity, stop bits (1, 2), flow control (`hard` RTS/CTS, `soft` XON/XOFF). */
  dataBits: DataBits;
  parity: Parity;
  stopBits: StopBits;
  flow: FlowControl;
  /** Output kept in memory for replay and live clients, in bytes. */
  scrollbackBytes: number;
  retention: Retention;
  /** `shared`: every operator types; `single`: one holder of the keyboard at a time (server/ports/keyboard.ts). */
  writers: WritersMode;
}

/** Everything `start()` needs. */
export interface Config {
  /** The ports to serve, in picker order; the first is also served on the legacy /ws and /api/status. At least one unless `watch`. */
  ports: PortConfig[];
  /** Address to listen on. Loopback by default; anything else requires a token. */
  host: string;
  /** TCP port of the HTTP/WebSocket server; 0 picks a free one. */
  listenPort: number;
  /** Access token. Required (generated when not given) when host is not loopback. null: no auth. */
  token: string | null;
  /** Watch only: every role is capped at viewer. */
  readOnly: boolean;
  /** Named tokens, each with a role per port (stored hashed). */
  tokens: Credential[];
  /** Role of token-less requests from this machine; 'none': refused; null: admin when neither token nor tokens is set, else none. */
  anonymous: Role | 'none' | null;
  /** Failed logins per client address before it is locked out, within how long, and for how long. */
  lockout: LockoutSettings;
  /** Most WebSocket clients at once, over all ports; more are refused with close code 1013. */
  maxClients: number;
  /** Extra Origins allowed to open the WebSocket (besides the server's own host). */
  allowedOrigins: string[];
  /** Where captures live (one directory per port id below `ports/`); null: no capture (memory only, offsets not durable). */
  dataDir: string | null;
  /** Also serve every USB serial device that appears, named from its /dev/serial/by-id link. */
  watch: boolean;
  /** Settings for ports that `watch` adds. */
  watchDefaults: Omit<PortConfig, 'id' | 'name' | 'path' | 'match'>;
  /** The config file this came from, for messages; null when none. */
  file: string | null;
  /** Bridge the ports to this MQTT broker; absent: no bridge. */
  mqtt?: MqttConfig;
  /** Show every port of every node on this broker beside the local ones; absent: no fleet. */
  fleet?: FleetConfig;
  /** Serve HTTPS and wss with this certificate; absent: plain HTTP. */
  tls?: TlsConfig;
  /** With tls: also listen on this TCP port with plain HTTP, redirecting every request to https (0 picks a free one); absent: none. */
  httpRedirectPort?: number;
  /** With tls: the PEM file of the CA certificate(s) whose client certificates are accepted; every connection must present one. Absent: none asked for. */
  tlsClientCa?: string;
  /** How much of the audit log is kept (docs/config.md `audit`); absent: AUDIT_DEFAULTS. */
  audit?: AuditSettings;
}

/**
 * Where the TLS certificate comes from: PEM files (`cert` may carry intermediates after the server's own), or a
 * self-signed certificate that start() makes on the first start and keeps in `<dataDir>/tls/`. Paths are absolute.
 */
export type TlsConfig = { mode: 'files'; cert: string; key: string } | { mode: 'self-signed' };
