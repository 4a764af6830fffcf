// Configuration: the one place where every option, its default and its limits are written down.
// resolveConfig() is one pure function from what a user wrote (a YAML file, flags, a test's object) and the
// environment to a resolved Config (config-types.ts); the CLI and the file share every check. Fields: docs/config.md.
import { resolveAudit, type AuditInput } from './config-audit.js';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  checkBaudRate,
  checkDataBits,
  checkFlow,
  checkIntIn,
  checkPacingDelay,
  checkParity,
  checkStopBits,
  DEFAULT_FRAMING,
  type DataBits,
  type FlowControl,
  type Parity,
  type Refusal,
  type StopBits,
} from './wire/limits.js';
import type { Config, PortConfig, Retention, UsbMatch } from './config-types.js';
import { ConfigError } from './config-error.js';
import { describeValue, findUnknownKey, isRecord } from './config-checks.js';
import { formatDuration, formatSize, parseDuration, parseSize } from './config-units.js';
import { PORT_ID_PATTERN, portIdFrom } from './config-port-id.js';
import { resolveMqtt, type MqttInput } from './config-mqtt.js';
import { resolveFleet, type FleetInput } from './config-fleet.js';
import { resolveTls, type TlsInput } from './config-tls.js';
import { isTokenHash, TOKEN_HASH_PREFIX, type Credential } from './access/credentials.js';
import type { LockoutSettings } from './access/login-lockout.js';
import { checkRole, type Role } from './wire/roles.js';
import { WRITERS_MODES, type WritersMode } from './wire/protocol.js';

export type { Config, PortConfig, Retention, UsbMatch } from './config-types.js';
export { ConfigError } from './config-error.js';
export { isLoopbackHost } from './access/loopback.js';
export { loadConfigFile } from './config-file.js';
export { PORT_ID_PATTERN, portIdFrom } from './config-port-id.js';

/** Serial settings a port takes, as written: in `defaults` (every port, and ports that watch adds) or in one port. */
export interface PortSettingsInput {
  baud?: number;
  dtr?: boolean;
  rts?: boolean;
  /** ms after each byte / after each line ending written. */
  charDelayMs?: number;
  lineDelayMs?: number;
  /** Framing: 5..8 data bits; none|odd|even|mark|space parity; 1|2 stop bits; none|hard (RTS/CTS)|soft (XON/XOFF) flow. */
  dataBits?: number;
  parity?: string;
  stopBits?: number;
  flow?: string;
  /** Bytes kept in memory: a number of bytes or text such as "1MiB". */
  scrollback?: number | string;
  /** Capture kept on disk: bytes (number or "64MiB") and age (ms or "14d", "12h", "30m"). */
  retention?: { bytes?: number | string; age?: number | string };
  /** shared (every operator types) | single (one holder of the keyboard at a time). */
  writers?: string;
}

/** One port as written: a device `path` (or "demo") or a `usb` identity ("2341:0043" or "2341:0043:SERIAL"), plus settings. */
export interface PortInput extends PortSettingsInput {
  id?: string;
  name?: string;
  path?: string;
  usb?: string | UsbMatch;
}

/** What a user writes, the same in the YAML file and in code (`start(input)`); every field optional. */
export interface ConfigInput {
  /** Ports in picker order; a string is a device path or "demo". None and no watch: one demo port. */
  ports?: (PortInput | string)[];
  host?: string;
  listenPort?: number;
  /** Omitted: SERIALDECK_TOKEN from the environment, else none. null: none. */
  token?: string | null;
  readOnly?: boolean;
  /** Named tokens: `{ name, hash: "sha256:…", role?, ports?: { <id>: role } }` (serialdeck token makes one). */
  tokens?: TokenInput[];
  /** viewer | operator | admin | none: what token-less requests from this machine may do. */
  anonymous?: string;
  /** Failed logins before an address is locked out: `{ attempts, window, duration }` (durations as "1m"). */
  lockout?: { attempts?: number; window?: number | string; duration?: number | string };
  maxClients?: number;
  allowedOrigins?: string[];
  /** Omitted: the platform's state directory (defaultDataDir). null: no capture. Relative: to the config file's folder. */
  dataDir?: string | null;
  /** false: no capture (dataDir null) whatever dataDir says. */
  capture?: boolean;
  watch?: boolean;
  /** Settings applied under every port and under the ports that watch adds. */
  defaults?: PortSettingsInput;
  /** Bridge the ports to an MQTT broker (server/config-mqtt.ts, docs/fleet.md). */
  mqtt?: MqttInput;
  /** Also show every port of every node on this broker (server/config-fleet.ts, docs/fleet.md); no local ports by default then. */
  fleet?: FleetInput;
  /** HTTPS: `self-signed` (kept in the data directory), `{ cert, key }` (PEM files; relative to the config file's folder), or `off`. */
  tls?: TlsInput;
  /** With tls: a plain-HTTP port that redirects to https. */
  httpRedirectPort?: number | null;
  /** With tls: a PEM file of the CA certificate(s) whose client certificates are accepted; every connection must then present one. */
  tlsClientCa?: string | null;
  /** How much audit log is kept: `{ fileSize, fileAge, total, memory }` (server/config-audit.ts). */
  audit?: AuditInput;
}

/** One named token as written in the config. */
export interface TokenInput {
  name?: string;
  /** `sha256:` and the hex digest of the token (never the token itself). */
  hash?: string;
  /** Role on every port (default viewer). */
  role?: string;
  /** Role per port id, overriding `role`. */
  ports?: Record<string, string>;
}

/** A port's resolved serial settings (a PortConfig without what names the port). */
export type PortSettings = Config['watchDefaults'];

/** Where a config came from, for resolveConfig. */
export interface ResolveOptions {
  /** The config file's name: errors start with it, and a relative dataDir is taken from its folder. */
  file?: string;
  /** Environment (SERIALDECK_TOKEN, STATE_DIRECTORY, XDG_STATE_HOME, HOME); default process.env. */
  env?: Record<string, string | undefined>;
  /** How the user wrote a field, by field path (e.g. `defaults.baud` → `--baud`): errors say that instead. */
  labels?: Readonly<Record<string, string>>;
}

const MiB = 1024 ** 2;
const DAY_MS = 86_400_000;

/** Every default, with its reason; docs/config.md and the --help text show these. dataDir's default: defaultDataDir(). */
export const DEFAULTS = Object.freeze({
  host: '127.0.0.1', // loopback: nothing on the LAN can reach the console until asked (then a token is required)
  listenPort: 8080, // the customary alternate HTTP port; 0 picks a free one
  token: null, // on loopback no token is needed; off loopback start() generates one when none is given
  readOnly: false,
  tokens: Object.freeze([] as Credential[]), // none: --token (or a generated one off loopback) is the only credential
  anonymous: null, // admin when no token is configured (loopback only, as before roles), none as soon as one is
  lockout: Object.freeze({
    attempts: 10, // a person mistyping gets several tries; a guesser gets 10 per window, hopeless against a random token
    windowMs: 60_000, // failures older than a minute are forgotten
    durationMs: 300_000, // five minutes: long enough to make guessing pointless, short enough that a person waits it out
  }),
  maxClients: 32, // over all ports: a Pi serves a room of viewers; each costs a socket and a bounded queue
  allowedOrigins: Object.freeze([] as string[]), // only the server's own pages may open the WebSocket
  watch: false, // serve only the ports named; watching adds whatever is plugged in
  ports: Object.freeze(['demo']), // no ports and no watch: the built-in demo board, so `npx serialdeck` shows something
  port: Object.freeze({
    baudRate: 115200, // what Arduino sketches and ESP32 boot logs use most
    dtr: true, // asserted as every terminal does; false keeps an Arduino from resetting on open, where the driver allows
    rts: true,
    charDelayMs: 0, // no pacing: write as fast as the device takes it
    lineDelayMs: 0,
    // 8N1 without flow control: what nearly every board speaks (wire/limits.ts DEFAULT_FRAMING).
    dataBits: DEFAULT_FRAMING.dataBits,
    parity: DEFAULT_FRAMING.parity,
    stopBits: DEFAULT_FRAMING.stopBits,
    flow: DEFAULT_FRAMING.flow,
    scrollbackBytes: 1 * MiB, // minutes of 115200-baud output in memory for replay and live clients
    retention: Object.freeze({
      // Per port. 64 MiB holds weeks of a chatty board's log (a line a second is ~5 MiB a day) and ~1.5 h of a
      // 115200-baud port flat out; four ports stay under 256 MiB, small beside any SD card a Pi boots from,
      // and the capture's writes to the card stay bounded.
      bytes: 64 * MiB,
      // Two weeks covers "it failed last week" and a fortnight away, without keeping a log forever by default.
      ageMs: 14 * DAY_MS,
    }),
    writers: 'shared' as WritersMode, // as before roles: every operator types; `single` is for benches where two people must not
  }),
});

// Limits on values only configuration sets (baud and pacing are in wire/limits.ts, shared with the wire).
/** Listen port range: 0 (pick a free one) to the highest TCP port. */
const MAX_LISTEN_PORT = 65535;
/** Most clients allowed: beyond what one Pi's sockets and queues serve; more is a typo. */
const MAX_CLIENTS = 10_000;
/** Shortest token, in characters: shorter ones are guessable over a LAN. */
const MIN_TOKEN_CHARS = 8;
/**
 * Tokens that are publicly known, so refused whatever their length: the placeholder an old docs/serialdeck.service
 * shipped, and words people leave in a template ("changeme", "your-token-here", "xxxxxxxx").
 */
const PLACEHOLDER_TOKEN = /change.?me|replace.?me|your.?token|placeholder|^(?:secret|password|token)$|^(.)\1*$/i;
/** The end of the error that refuses a placeholder token (never echoing the token), with how to make a real one. */
const PLACEHOLDER_REFUSAL =
  `is a placeholder from an example, known to anyone: set a random one, e.g. from ` +
  `node -e "console.log(require('node:crypto').randomBytes(24).toString('base64url'))"`;
/** Scrollback range, in bytes: under 4 KiB is not a screenful; over 1 GiB will not fit in a Pi's memory. */
const MIN_SCROLLBACK_BYTES = 4096;
const MAX_SCROLLBACK_BYTES = 1024 * MiB;
/** Retention size range, in bytes: under 1 MiB keeps less than the memory ring (KiB meant for MiB?); 1 TiB is beyond a Pi's disk. */
const MIN_RETENTION_BYTES = 1 * MiB;
const MAX_RETENTION_BYTES = 1024 ** 4;
/** Retention age range, in ms: under a minute is not a record; over ten years is a typo. */
const MIN_RETENTION_MS = 60_000;
const MAX_RETENTION_MS = 3650 * DAY_MS;

/** Lockout durations, in ms: under a second is no lockout; over a day locks a person out of their own bench. */
const MIN_LOCKOUT_MS = 1000;
const MAX_LOCKOUT_MS = DAY_MS;
/** Most failed logins before a lockout: beyond this it is no protection. */
const MAX_LOCKOUT_ATTEMPTS = 1000;
const TOKEN_KEYS = ['name', 'hash', 'role', 'ports'] as const;

const SETTING_KEYS = [
  'baud',
  'dtr',
  'rts',
  'charDelayMs',
  'lineDelayMs',
  'dataBits',
  'parity',
  'stopBits',
  'flow',
  'scrollback',
  'retention',
  'writers',
] as const;
const NAMING_KEYS = ['id', 'name', 'path', 'usb'] as const;
const PORT_KEYS = [...NAMING_KEYS, ...SETTING_KEYS] as const;
const SERVER_KEYS = ['host', 'listenPort', 'token', 'tokens', 'anonymous', 'lockout', 'readOnly', 'maxClients', 'allowedOrigins', 'dataDir', 'capture', 'watch', 'tls', 'httpRedirectPort', 'tlsClientCa', 'audit'] as const;
const TOP_KEYS = ['ports', ...SERVER_KEYS, 'defaults', 'mqtt', 'fleet'] as const;
const USB_KEYS = ['vendorId', 'productId', 'serialNumber'] as const;

/** Keys that belong in another mapping, with where they go: the hint of an unknown-key error. */
const hintAll = (keys: readonly string[], hint: string) => Object.fromEntries(keys.map((key) => [key, hint]));
const SETTING_ELSEWHERE = hintAll(SETTING_KEYS, 'a port setting: put it under defaults or under one port');
const NAMING_ELSEWHERE = hintAll(NAMING_KEYS, 'it names one port: put it in an entry under ports');
const SERVER_ELSEWHERE = hintAll(SERVER_KEYS, 'a server setting: put it at the top level');

/**
 * Where captures live when dataDir is not given: systemd's $STATE_DIRECTORY (set by StateDirectory=) under the
 * service, else $XDG_STATE_HOME/serialdeck, else ~/.local/state/serialdeck (the XDG default).
 */
export function defaultDataDir(env: Record<string, string | undefined>): string {
  // StateDirectory= with several names gives a colon-separated list; ours is the first.
  const stateDirectory = env.STATE_DIRECTORY?.split(':')[0];
  if (stateDirectory) return stateDirectory;
  // The XDG spec says a relative $XDG_STATE_HOME is invalid and must be ignored.
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return join(env.XDG_STATE_HOME, 'serialdeck');
  return join(env.HOME || homedir(), '.local', 'state', 'serialdeck');
}

/** True when `value` is already a resolved Config (as resolveConfig returns), not a ConfigInput. */
export function isResolvedConfig(value: ConfigInput | Config): value is Config {
  return 'watchDefaults' in value && 'file' in value;
}

/**
 * Fills defaults and checks every field of `input`. Throws ConfigError with one line naming the file (when
 * there is one), the field path and the reason, e.g. `serialdeck.yaml: ports[1].baud must be an integer from
 * 1 to 20000000, got 0`. Unknown keys and duplicate port ids are errors too. Pure but for reading `env`.
 */
export function resolveConfig(input: ConfigInput, options: ResolveOptions = {}): Config {
  return new Resolver(options).config(input);
}

/** Reads one value at a field path: returns it typed, or throws naming the path. */
type Read<T> = (value: unknown, path: string) => T;

/** One resolution: knows where the values came from, so every error can say so. */
class Resolver {
  private readonly file: string | null;
  private readonly env: Record<string, string | undefined>;
  private readonly labels: Readonly<Record<string, string>>;

  constructor(options: ResolveOptions) {
    this.file = options.file ?? null;
    this.env = options.env ?? process.env;
    this.labels = options.labels ?? {};
  }

  config(input: unknown): Config {
    if (!isRecord(input))
      throw new ConfigError(`${this.file ?? 'config'}: must be a mapping of settings, got ${describeValue(input)}`);
    this.known('', input, TOP_KEYS, { ...SETTING_ELSEWHERE, ...NAMING_ELSEWHERE });
    const watch = this.optional(input.watch, 'watch', this.bool) ?? DEFAULTS.watch;
    const defaults = input.defaults === undefined ? {} : this.record(input.defaults, 'defaults');
    this.known('defaults', defaults, SETTING_KEYS, { ...NAMING_ELSEWHERE, ...SERVER_ELSEWHERE });
    const watchDefaults = this.settings('defaults', defaults, DEFAULTS.port);
    return {
      // A fleet console may serve no port of its own (the nodes' are its ports): like watch, no demo port by default.
      ports: this.ports(input.ports, watch || (input.fleet !== undefined && input.fleet !== null), watchDefaults),
      host: this.optional(input.host, 'host', this.text) ?? DEFAULTS.host,
      listenPort: this.optional(input.listenPort, 'listenPort', this.intIn(0, MAX_LISTEN_PORT)) ?? DEFAULTS.listenPort,
      token: this.token(input.token),
      readOnly: this.optional(input.readOnly, 'readOnly', this.bool) ?? DEFAULTS.readOnly,
      tokens: input.tokens === undefined ? [] : this.tokens(input.tokens),
      anonymous: this.optional(input.anonymous, 'anonymous', this.anonymousRole) ?? DEFAULTS.anonymous,
      lockout: this.lockout(input.lockout),
      maxClients: this.optional(input.maxClients, 'maxClients', this.intIn(1, MAX_CLIENTS)) ?? DEFAULTS.maxClients,
      allowedOrigins: input.allowedOrigins === undefined ? [...DEFAULTS.allowedOrigins] : this.origins(input.allowedOrigins),
      dataDir: this.dataDir(input),
      watch,
      watchDefaults,
      file: this.file,
      ...this.mqtt(input.mqtt),
      ...this.fleet(input.fleet),
      ...this.tls(input),
      ...this.audit(input.audit),
    };
  }

  private audit(value: unknown): Pick<Config, 'audit'> {
    const audit = resolveAudit(value, (path, reason) => this.fail(path, reason));
    return audit ? { audit } : {};
  }

  private tls(input: Record<string, unknown>): Pick<Config, 'tls' | 'httpRedirectPort' | 'tlsClientCa'> {
    const context = { fail: (path: string, reason: string) => this.fail(path, reason), localPath: (v: string) => this.localPath(v), dataDir: this.dataDir(input) };
    const { tls, httpRedirectPort, clientCa } = resolveTls(input.tls, input.httpRedirectPort, input.tlsClientCa, context);
    return { ...(tls ? { tls } : {}), ...(httpRedirectPort !== null ? { httpRedirectPort } : {}), ...(clientCa !== null ? { tlsClientCa: clientCa } : {}) };
  }

  private fleet(value: unknown): Pick<Config, 'fleet'> {
    const fleet = resolveFleet(value, { fail: (path, reason) => this.fail(path, reason), env: this.env, file: this.file });
    return fleet ? { fleet } : {};
  }

  private mqtt(value: unknown): Pick<Config, 'mqtt'> {
    const mqtt = resolveMqtt(value, { fail: (path, reason) => this.fail(path, reason), env: this.env, file: this.file });
    return mqtt ? { mqtt } : {};
  }

  private ports(value: unknown, watch: boolean, base: PortSettings): PortConfig[] {
    if (value !== undefined && !Array.isArray(value)) return this.fail('ports', `must be a list of ports, got ${describeValue(value)}`);
    if (value !== undefined && value.length === 0 && !watch) return this.fail('ports', 'must list at least one port (or set watch: true)');
    const entries: unknown[] = value ?? (watch ? [] : [...DEFAULTS.ports]);
    const ports = entries.map((entry, i) => this.port(`ports[${i}]`, entry, base));
    const firstWithId = new Map<string, number>();
    ports.forEach((port, i) => {
      const first = firstWithId.get(port.id);
      if (first === undefined) return void firstWithId.set(port.id, i);
      // Name both entries, with their paths unless the CLI labelled them (a label already shows the path).
      const labelled = this.labels[`ports[${i}]`] !== undefined;
      const other = this.labels[`ports[${first}]`] ?? `ports[${first}] (${ports[first]?.path})`;
      const reason = `has the same id "${port.id}" as ${other}; give one of them its own id`;
      this.fail(`ports[${i}]`, labelled ? reason : `(${port.path}) ${reason}`);
    });
    return ports;
  }

  private port(path: string, entry: unknown, base: PortSettings): PortConfig {
    // A bare string is a device path; its errors name the entry itself.
    const record = typeof entry === 'string' ? { path: entry } : this.record(entry, path);
    this.known(path, record, PORT_KEYS, SERVER_ELSEWHERE);
    const devicePath = this.optional(record.path, typeof entry === 'string' ? path : `${path}.path`, this.text);
    const match = this.optional(record.usb, `${path}.usb`, this.usb);
    if (devicePath === undefined && !match)
      return this.fail(path, 'needs a path (a device, or "demo") or a usb identity (VID:PID[:SERIAL])');
    if (devicePath !== undefined && match)
      return this.fail(path, 'has both path and usb; give one (usb finds the board wherever it is plugged in)');
    const name = this.optional(record.name, `${path}.name`, this.text);
    const id = this.optional(record.id, `${path}.id`, this.text);
    if (id !== undefined && !PORT_ID_PATTERN.test(id)) {
      const rule = 'must be lowercase letters, digits, ".", "_" or "-", starting with a letter or digit, at most 64 characters';
      this.fail(`${path}.id`, `${rule}, got ${describeValue(id)}`);
    }
    const portId = portIdFrom({ id, name, path: devicePath, match });
    const label = devicePath ?? usbLabel(match);
    return { id: portId, name: name ?? portId, path: label, match: match ?? null, ...this.settings(path, record, base) };
  }

  private settings(path: string, record: Record<string, unknown>, base: PortSettings): PortSettings {
    const at = (key: string) => `${path}.${key}`;
    const retention = record.retention === undefined ? {} : this.record(record.retention, at('retention'));
    this.known(at('retention'), retention, ['bytes', 'age']);
    const pacing = this.checked(checkPacingDelay);
    const scrollback = this.within(parseSize, formatSize, MIN_SCROLLBACK_BYTES, MAX_SCROLLBACK_BYTES);
    const retentionBytes = this.within(parseSize, formatSize, MIN_RETENTION_BYTES, MAX_RETENTION_BYTES);
    const retentionAge = this.within(parseDuration, formatDuration, MIN_RETENTION_MS, MAX_RETENTION_MS);
    return {
      baudRate: this.optional(record.baud, at('baud'), this.checked(checkBaudRate)) ?? base.baudRate,
      dtr: this.optional(record.dtr, at('dtr'), this.bool) ?? base.dtr,
      rts: this.optional(record.rts, at('rts'), this.bool) ?? base.rts,
      charDelayMs: this.optional(record.charDelayMs, at('charDelayMs'), pacing) ?? base.charDelayMs,
      lineDelayMs: this.optional(record.lineDelayMs, at('lineDelayMs'), pacing) ?? base.lineDelayMs,
      dataBits: this.optional(record.dataBits, at('dataBits'), this.accepted<DataBits>(checkDataBits)) ?? base.dataBits,
      parity: this.optional(record.parity, at('parity'), this.accepted<Parity>(checkParity)) ?? base.parity,
      stopBits: this.optional(record.stopBits, at('stopBits'), this.accepted<StopBits>(checkStopBits)) ?? base.stopBits,
      flow: this.optional(record.flow, at('flow'), this.accepted<FlowControl>(checkFlow)) ?? base.flow,
      scrollbackBytes: this.optional(record.scrollback, at('scrollback'), scrollback) ?? base.scrollbackBytes,
      retention: {
        bytes: this.optional(retention.bytes, at('retention.bytes'), retentionBytes) ?? base.retention.bytes,
        ageMs: this.optional(retention.age, at('retention.age'), retentionAge) ?? base.retention.ageMs,
      } satisfies Retention,
      writers: this.optional(record.writers, at('writers'), this.writers) ?? base.writers,
    };
  }

  private readonly usb: Read<UsbMatch> = (value, path) => {
    if (typeof value === 'string') {
      const m = /^([0-9a-f]{4}):([0-9a-f]{4})(?::(.+))?$/i.exec(value.trim());
      if (!m) {
        const rule = 'must be VID:PID or VID:PID:SERIAL with 4 hex digits each, like 2341:0043 (see serialdeck list)';
        return this.fail(path, `${rule}, got ${describeValue(value)}`);
      }
      return { vendorId: (m[1] ?? '').toLowerCase(), productId: (m[2] ?? '').toLowerCase(), ...(m[3] ? { serialNumber: m[3] } : {}) };
    }
    const record = this.record(value, path);
    this.known(path, record, USB_KEYS);
    const hex = (key: 'vendorId' | 'productId'): string => {
      const v = record[key];
      // YAML reads an unquoted 0403 as the number 403: say to quote it rather than guess.
      if (typeof v !== 'string' || !/^[0-9a-f]{4}$/i.test(v))
        return this.fail(`${path}.${key}`, `must be 4 hex digits in quotes, like "0403", got ${describeValue(v)}`);
      return v.toLowerCase();
    };
    const serialNumber = record.serialNumber;
    if (serialNumber !== undefined && (typeof serialNumber !== 'string' || serialNumber === ''))
      return this.fail(`${path}.serialNumber`, `must be the serial number in quotes, got ${describeValue(serialNumber)}`);
    return { vendorId: hex('vendorId'), productId: hex('productId'), ...(serialNumber ? { serialNumber } : {}) };
  };

  private token(value: unknown): string | null {
    if (value === null) return null;
    if (value === undefined) {
      const fromEnv = this.env.SERIALDECK_TOKEN;
      if (!fromEnv) return null; // SERIALDECK_TOKEN= (empty) also means none
      if (fromEnv.length < MIN_TOKEN_CHARS) throw new ConfigError(`SERIALDECK_TOKEN must be at least ${MIN_TOKEN_CHARS} characters`);
      if (PLACEHOLDER_TOKEN.test(fromEnv)) throw new ConfigError(`SERIALDECK_TOKEN ${PLACEHOLDER_REFUSAL}`);
      return fromEnv;
    }
    if (typeof value !== 'string' || value.length < MIN_TOKEN_CHARS) {
      const got = typeof value === 'string' ? `${value.length}` : describeValue(value);
      return this.fail('token', `must be at least ${MIN_TOKEN_CHARS} characters, got ${got}`);
    }
    if (PLACEHOLDER_TOKEN.test(value)) return this.fail('token', PLACEHOLDER_REFUSAL);
    return value;
  }

  private tokens(value: unknown): Credential[] {
    if (!Array.isArray(value)) return this.fail('tokens', `must be a list of named tokens, got ${describeValue(value)}`);
    const names = new Set<string>();
    const hashes = new Set<string>();
    return value.map((entry: unknown, i) => {
      const path = `tokens[${i}]`;
      const record = this.record(entry, path);
      this.known(path, record, TOKEN_KEYS, { token: 'store the hash, not the token: serialdeck token prints both' });
      const name = this.text(record.name, `${path}.name`);
      if (!/^[\w.@-]{1,64}$/.test(name)) this.fail(`${path}.name`, `must be 1 to 64 letters, digits, ".", "_", "-" or "@", got ${describeValue(name)}`);
      if (names.has(name)) this.fail(`${path}.name`, `${describeValue(name)} is used by another token; names say who typed what, so each must be unique`);
      names.add(name);
      const hash = this.text(record.hash, `${path}.hash`).trim().toLowerCase();
      if (!isTokenHash(hash)) this.fail(`${path}.hash`, `must be ${TOKEN_HASH_PREFIX} and 64 hex digits (serialdeck token makes one), got ${describeValue(record.hash)}`);
      if (hashes.has(hash)) this.fail(`${path}.hash`, 'is the same token as another entry; give each person their own');
      hashes.add(hash);
      const role = this.optional(record.role, `${path}.role`, this.role) ?? 'viewer';
      const ports: Record<string, Role> = {};
      if (record.ports !== undefined) {
        for (const [id, portRole] of Object.entries(this.record(record.ports, `${path}.ports`))) ports[id] = this.role(portRole, `${path}.ports.${id}`);
      }
      return { name, hash, role, ports };
    });
  }

  private lockout(value: unknown): LockoutSettings {
    const record = value === undefined ? {} : this.record(value, 'lockout');
    this.known('lockout', record, ['attempts', 'window', 'duration']);
    const duration = this.within(parseDuration, formatDuration, MIN_LOCKOUT_MS, MAX_LOCKOUT_MS);
    return {
      attempts: this.optional(record.attempts, 'lockout.attempts', this.intIn(1, MAX_LOCKOUT_ATTEMPTS)) ?? DEFAULTS.lockout.attempts,
      windowMs: this.optional(record.window, 'lockout.window', duration) ?? DEFAULTS.lockout.windowMs,
      durationMs: this.optional(record.duration, 'lockout.duration', duration) ?? DEFAULTS.lockout.durationMs,
    };
  }

  private readonly role: Read<Role> = (value, path) => {
    const checked = checkRole(value);
    return checked.ok ? checked.role : this.fail(path, checked.error);
  };

  private readonly writers: Read<WritersMode> = (value, path) =>
    WRITERS_MODES.find((mode) => mode === value) ?? this.fail(path, `must be ${WRITERS_MODES.join(' or ')}, got ${describeValue(value)}`);

  private readonly anonymousRole: Read<Role | 'none'> = (value, path) => (value === 'none' ? 'none' : this.role(value, path));

  private origins(value: unknown): string[] {
    if (!Array.isArray(value))
      return this.fail('allowedOrigins', `must be a list of origins like http://host:port, got ${describeValue(value)}`);
    return value.map((origin: unknown, i) => {
      const path = `allowedOrigins[${i}]`;
      const text = this.text(origin, path).replace(/\/$/, '');
      let parsed: URL;
      try {
        parsed = new URL(text);
      } catch {
        return this.fail(path, `is not a URL like http://host:port, got ${describeValue(origin)}`);
      }
      if (parsed.origin !== text) return this.fail(path, `must be scheme://host[:port] only, got ${describeValue(origin)}`);
      return text;
    });
  }

  private dataDir(input: Record<string, unknown>): string | null {
    const capture = this.optional(input.capture, 'capture', this.bool);
    const value = input.dataDir === null ? null : this.optional(input.dataDir, 'dataDir', this.text);
    if (capture === false || value === null) return null;
    if (value === undefined) return defaultDataDir(this.env);
    return this.localPath(value);
  }

  /** A path as written, made absolute: `~` and `~/` are the home directory; relative is from the config file's folder. */
  private localPath(value: string): string {
    const home = this.env.HOME || homedir();
    const expanded = value === '~' ? home : value.startsWith('~/') ? join(home, value.slice(2)) : value;
    return resolve(this.file ? dirname(this.file) : '.', expanded);
  }

  // --- one value each: return it typed, or fail naming where it came from ---

  private optional<T>(value: unknown, path: string, read: Read<T>): T | undefined {
    return value === undefined ? undefined : read(value, path);
  }

  /** A number that `check` (from wire/limits.ts) accepts, refused in its words. */
  private checked(check: (value: unknown) => Refusal): Read<number> {
    return (value, path) => {
      const refusal = check(value);
      return refusal ? this.fail(path, refusal) : (value as number);
    };
  }

  /** One of a fixed set of values that `check` (from wire/limits.ts) accepts, refused in its words. */
  private accepted<T>(check: (value: unknown) => Refusal): Read<T> {
    return (value, path) => {
      const refusal = check(value);
      return refusal ? this.fail(path, refusal) : (value as T);
    };
  }

  /** A whole number in [min, max], refused in the wire's words. */
  private intIn(min: number, max: number): Read<number> {
    return this.checked((value) => checkIntIn(value, min, max));
  }

  /** A size or duration: parsed, then a whole number in [min, max], shown in its units when refused. */
  private within(parse: typeof parseSize, format: (n: number) => string, min: number, max: number): Read<number> {
    return (value, path) => {
      const n = parse(value);
      if (typeof n !== 'number') return this.fail(path, n.refusal ?? 'is not valid');
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        const got = Number.isFinite(n) ? format(n) : describeValue(value);
        return this.fail(path, `must be from ${format(min)} to ${format(max)}, got ${got}`);
      }
      return n;
    };
  }

  private readonly bool: Read<boolean> = (value, path) =>
    typeof value === 'boolean' ? value : this.fail(path, `must be true or false, got ${describeValue(value)}`);

  private readonly text: Read<string> = (value, path) =>
    typeof value === 'string' && value.trim() !== '' ? value : this.fail(path, `must be a non-empty string, got ${describeValue(value)}`);

  private record(value: unknown, path: string): Record<string, unknown> {
    return isRecord(value) ? value : this.fail(path, `must be a mapping, got ${describeValue(value)}`);
  }

  private known(path: string, record: Record<string, unknown>, allowed: readonly string[], elsewhere?: Record<string, string>): void {
    const unknown = findUnknownKey(record, allowed, elsewhere);
    if (unknown) this.fail(path ? `${path}.${unknown.key}` : unknown.key, `is not a known setting${unknown.hint}`);
  }

  /** Throws the one-line error: the flag that set `path` when the CLI labelled it, else file and field path. */
  private fail(path: string, reason: string): never {
    // Own keys only: a field named after an Object method (`hasOwnProperty:` in a file) is not a label.
    const label = Object.hasOwn(this.labels, path) ? this.labels[path] : undefined;
    const where = label ?? (this.file ? `${this.file}: ${path}` : path);
    throw new ConfigError(`${where} ${reason}`);
  }
}

function usbLabel(match: UsbMatch | undefined): string {
  if (!match) return '';
  return ['usb', match.vendorId, match.productId, ...(match.serialNumber ? [match.serialNumber] : [])].join(':');
}
