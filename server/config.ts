// Configuration: the one place where every option, its default and its limits are written down.
// resolveConfig() is one pure function from what a user wrote (a YAML file, flags, a test's object) and the
// environment to a resolved Config (config-types.ts); the CLI and the file share every check. Fields: docs/config.md.
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { checkBaudRate, checkIntIn, checkPacingDelay, type Refusal } from './wire/limits.js';
import type { Config, PortConfig, Retention, UsbMatch } from './config-types.js';
import { ConfigError } from './config-error.js';
import { describeValue, findUnknownKey, isRecord } from './config-checks.js';
import { formatDuration, formatSize, parseDuration, parseSize } from './config-units.js';
import { PORT_ID_PATTERN, portIdFrom } from './config-port-id.js';

export type { Config, PortConfig, Retention, UsbMatch } from './config-types.js';
export { ConfigError } from './config-error.js';
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
  /** Bytes kept in memory: a number of bytes or text such as "1MiB". */
  scrollback?: number | string;
  /** Capture kept on disk: bytes (number or "64MiB") and age (ms or "14d", "12h", "30m"). */
  retention?: { bytes?: number | string; age?: number | string };
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
  maxClients?: number;
  allowedOrigins?: string[];
  /** Omitted: the platform's state directory (defaultDataDir). null: no capture. Relative: to the config file's folder. */
  dataDir?: string | null;
  /** false: no capture (dataDir null) whatever dataDir says. */
  capture?: boolean;
  watch?: boolean;
  /** Settings applied under every port and under the ports that watch adds. */
  defaults?: PortSettingsInput;
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
    scrollbackBytes: 1 * MiB, // minutes of 115200-baud output in memory for replay and live clients
    retention: Object.freeze({
      // Per port. 64 MiB holds weeks of a chatty board's log (a line a second is ~5 MiB a day) and ~1.5 h of a
      // 115200-baud port flat out; four ports stay under 256 MiB, small beside any SD card a Pi boots from,
      // and the capture's writes to the card stay bounded.
      bytes: 64 * MiB,
      // Two weeks covers "it failed last week" and a fortnight away, without keeping a log forever by default.
      ageMs: 14 * DAY_MS,
    }),
  }),
});

// Limits on values only configuration sets (baud and pacing are in wire/limits.ts, shared with the wire).
/** Listen port range: 0 (pick a free one) to the highest TCP port. */
const MAX_LISTEN_PORT = 65535;
/** Most clients allowed: beyond what one Pi's sockets and queues serve; more is a typo. */
const MAX_CLIENTS = 10_000;
/** Shortest token, in characters: shorter ones are guessable over a LAN. */
const MIN_TOKEN_CHARS = 8;
/** Scrollback range, in bytes: under 4 KiB is not a screenful; over 1 GiB will not fit in a Pi's memory. */
const MIN_SCROLLBACK_BYTES = 4096;
const MAX_SCROLLBACK_BYTES = 1024 * MiB;
/** Retention size range, in bytes: under 1 MiB keeps less than the memory ring (likely KiB meant for MiB); 1 TiB is more than any Pi's disk. */
const MIN_RETENTION_BYTES = 1 * MiB;
const MAX_RETENTION_BYTES = 1024 ** 4;
/** Retention age range, in ms: under a minute is not a record; over ten years is a typo. */
const MIN_RETENTION_MS = 60_000;
const MAX_RETENTION_MS = 3650 * DAY_MS;

const SETTING_KEYS = ['baud', 'dtr', 'rts', 'charDelayMs', 'lineDelayMs', 'scrollback', 'retention'] as const;
const PORT_KEYS = ['id', 'name', 'path', 'usb', ...SETTING_KEYS] as const;
const TOP_KEYS = ['ports', 'host', 'listenPort', 'token', 'readOnly', 'maxClients', 'allowedOrigins', 'dataDir', 'capture', 'watch', 'defaults'] as const;
const USB_KEYS = ['vendorId', 'productId', 'serialNumber'] as const;
/** Keys that belong in another mapping, with where they go (for the error). */
const PORT_SETTING_ELSEWHERE = Object.fromEntries(SETTING_KEYS.map((key) => [key, 'a port setting: put it under defaults or under one port']));
const PORT_NAME_ELSEWHERE = Object.fromEntries(['id', 'name', 'path', 'usb'].map((key) => [key, 'it names one port: put it in an entry under ports']));
const TOP_ELSEWHERE = Object.fromEntries(TOP_KEYS.filter((key) => key !== 'ports' && key !== 'defaults').map((key) => [key, 'a server setting: put it at the top level']));

/** True for addresses only this machine can reach (no token needed there). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

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
    if (!isRecord(input)) throw new ConfigError(`${this.file ?? 'config'}: must be a mapping of settings, got ${describeValue(input)}`);
    this.known('', input, TOP_KEYS, { ...PORT_SETTING_ELSEWHERE, ...PORT_NAME_ELSEWHERE });
    const watch = this.optional(input.watch, 'watch', this.bool) ?? DEFAULTS.watch;
    const defaults = input.defaults === undefined ? {} : this.record('defaults', input.defaults);
    this.known('defaults', defaults, SETTING_KEYS, { ...PORT_NAME_ELSEWHERE, ...TOP_ELSEWHERE });
    const watchDefaults = this.settings('defaults', defaults, DEFAULTS.port);
    const ports = this.ports(input.ports, watch, watchDefaults);
    return {
      ports,
      host: this.optional(input.host, 'host', this.text) ?? DEFAULTS.host,
      listenPort: this.optional(input.listenPort, 'listenPort', (v, p) => this.int(v, p, checkIntIn(v, 0, MAX_LISTEN_PORT))) ?? DEFAULTS.listenPort,
      token: this.token(input.token),
      readOnly: this.optional(input.readOnly, 'readOnly', this.bool) ?? DEFAULTS.readOnly,
      maxClients: this.optional(input.maxClients, 'maxClients', (v, p) => this.int(v, p, checkIntIn(v, 1, MAX_CLIENTS))) ?? DEFAULTS.maxClients,
      allowedOrigins: input.allowedOrigins === undefined ? [...DEFAULTS.allowedOrigins] : this.origins(input.allowedOrigins),
      dataDir: this.dataDir(input),
      watch,
      watchDefaults,
      file: this.file,
    };
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
      this.fail(`ports[${i}]`, `${labelled ? '' : `(${port.path}) `}has the same id "${port.id}" as ${other}; give one of them its own id`);
    });
    return ports;
  }

  private port(path: string, entry: unknown, base: PortSettings): PortConfig {
    // A bare string is a device path; its errors name the entry itself.
    const record = typeof entry === 'string' ? { path: entry } : this.record(path, entry);
    this.known(path, record, PORT_KEYS, TOP_ELSEWHERE);
    const devicePath = this.optional(record.path, typeof entry === 'string' ? path : `${path}.path`, this.text);
    const match = this.optional(record.usb, `${path}.usb`, this.usb);
    if (devicePath === undefined && !match) return this.fail(path, 'needs a path (a device, or "demo") or a usb identity (VID:PID[:SERIAL])');
    if (devicePath !== undefined && match) return this.fail(path, 'has both path and usb; give one (usb finds the board wherever it is plugged in)');
    const name = this.optional(record.name, `${path}.name`, this.text);
    const id = this.optional(record.id, `${path}.id`, this.text);
    if (id !== undefined && !PORT_ID_PATTERN.test(id))
      this.fail(`${path}.id`, `must be lowercase letters, digits, ".", "_" or "-", starting with a letter or digit, at most 64 characters, got ${describeValue(id)}`);
    const portId = portIdFrom({ id, name, path: devicePath, match });
    return { id: portId, name: name ?? portId, path: devicePath ?? usbLabel(match), match: match ?? null, ...this.settings(path, record, base) };
  }

  private settings(path: string, record: Record<string, unknown>, base: PortSettings): PortSettings {
    const at = (key: string) => `${path}.${key}`;
    const retention = record.retention === undefined ? {} : this.record(at('retention'), record.retention);
    this.known(at('retention'), retention, ['bytes', 'age']);
    return {
      baudRate: this.optional(record.baud, at('baud'), (v, p) => this.int(v, p, checkBaudRate(v))) ?? base.baudRate,
      dtr: this.optional(record.dtr, at('dtr'), this.bool) ?? base.dtr,
      rts: this.optional(record.rts, at('rts'), this.bool) ?? base.rts,
      charDelayMs: this.optional(record.charDelayMs, at('charDelayMs'), (v, p) => this.int(v, p, checkPacingDelay(v))) ?? base.charDelayMs,
      lineDelayMs: this.optional(record.lineDelayMs, at('lineDelayMs'), (v, p) => this.int(v, p, checkPacingDelay(v))) ?? base.lineDelayMs,
      scrollbackBytes: this.optional(record.scrollback, at('scrollback'), (v, p) => this.size(v, p, MIN_SCROLLBACK_BYTES, MAX_SCROLLBACK_BYTES)) ?? base.scrollbackBytes,
      retention: {
        bytes: this.optional(retention.bytes, at('retention.bytes'), (v, p) => this.size(v, p, MIN_RETENTION_BYTES, MAX_RETENTION_BYTES)) ?? base.retention.bytes,
        ageMs: this.optional(retention.age, at('retention.age'), this.duration) ?? base.retention.ageMs,
      } satisfies Retention,
    };
  }

  private readonly usb = (value: unknown, path: string): UsbMatch => {
    const hex4 = /^[0-9a-f]{4}$/i;
    if (typeof value === 'string') {
      const m = /^([0-9a-f]{4}):([0-9a-f]{4})(?::(.+))?$/i.exec(value.trim());
      if (!m) return this.fail(path, `must be VID:PID or VID:PID:SERIAL with 4 hex digits each, like 2341:0043 (see serialdeck list), got ${describeValue(value)}`);
      return { vendorId: (m[1] ?? '').toLowerCase(), productId: (m[2] ?? '').toLowerCase(), ...(m[3] ? { serialNumber: m[3] } : {}) };
    }
    const record = this.record(path, value);
    this.known(path, record, USB_KEYS);
    const id = (key: 'vendorId' | 'productId'): string => {
      const v = record[key];
      // YAML reads an unquoted 0403 as the number 403: say to quote it rather than guess.
      if (typeof v !== 'string' || !hex4.test(v)) return this.fail(`${path}.${key}`, `must be 4 hex digits in quotes, like "0403", got ${describeValue(v)}`);
      return v.toLowerCase();
    };
    const serialNumber = record.serialNumber;
    if (serialNumber !== undefined && (typeof serialNumber !== 'string' || serialNumber === ''))
      return this.fail(`${path}.serialNumber`, `must be the serial number in quotes, got ${describeValue(serialNumber)}`);
    return { vendorId: id('vendorId'), productId: id('productId'), ...(serialNumber ? { serialNumber } : {}) };
  };

  private token(value: unknown): string | null {
    if (value === null) return null;
    if (value === undefined) {
      const fromEnv = this.env.SERIALDECK_TOKEN;
      if (!fromEnv) return null; // SERIALDECK_TOKEN= (empty) also means none
      if (fromEnv.length < MIN_TOKEN_CHARS) throw new ConfigError(`SERIALDECK_TOKEN must be at least ${MIN_TOKEN_CHARS} characters`);
      return fromEnv;
    }
    if (typeof value !== 'string' || value.length < MIN_TOKEN_CHARS)
      return this.fail('token', `must be at least ${MIN_TOKEN_CHARS} characters, got ${typeof value === 'string' ? `${value.length}` : describeValue(value)}`);
    return value;
  }

  private origins(value: unknown): string[] {
    if (!Array.isArray(value)) return this.fail('allowedOrigins', `must be a list of origins like http://host:port, got ${describeValue(value)}`);
    return value.map((origin: unknown, i) => {
      const path = `allowedOrigins[${i}]`;
      const text = this.text(origin, path).replace(/\/$/, '');
      let parsed: URL | undefined;
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
    const value = input.dataDir;
    if (value !== undefined && value !== null) this.text(value, 'dataDir');
    if (capture === false || value === null) return null;
    if (typeof value !== 'string') return defaultDataDir(this.env);
    const home = this.env.HOME || homedir();
    const expanded = value === '~' ? home : value.startsWith('~/') ? join(home, value.slice(2)) : value;
    return resolve(this.file ? dirname(this.file) : '.', expanded);
  }

  // --- one value each: return it typed, or fail naming where it came from ---

  private optional<T>(value: unknown, path: string, read: (value: unknown, path: string) => T): T | undefined {
    return value === undefined ? undefined : read(value, path);
  }

  private int(value: unknown, path: string, refusal: Refusal): number {
    if (refusal) this.fail(path, refusal);
    return value as number;
  }

  private readonly bool = (value: unknown, path: string): boolean =>
    typeof value === 'boolean' ? value : this.fail(path, `must be true or false, got ${describeValue(value)}`);

  private readonly text = (value: unknown, path: string): string =>
    typeof value === 'string' && value.trim() !== '' ? value : this.fail(path, `must be a non-empty string, got ${describeValue(value)}`);

  private size(value: unknown, path: string, min: number, max: number): number {
    const bytes = parseSize(value);
    if (typeof bytes !== 'number') return this.fail(path, bytes.refusal ?? 'is not a size');
    if (!Number.isSafeInteger(bytes) || bytes < min || bytes > max)
      return this.fail(path, `must be from ${formatSize(min)} to ${formatSize(max)}, got ${Number.isFinite(bytes) ? formatSize(bytes) : describeValue(value)}`);
    return bytes;
  }

  private readonly duration = (value: unknown, path: string): number => {
    const ms = parseDuration(value);
    if (typeof ms !== 'number') return this.fail(path, ms.refusal ?? 'is not a duration');
    if (!Number.isSafeInteger(ms) || ms < MIN_RETENTION_MS || ms > MAX_RETENTION_MS)
      return this.fail(path, `must be from ${formatDuration(MIN_RETENTION_MS)} to ${formatDuration(MAX_RETENTION_MS)}, got ${Number.isFinite(ms) ? formatDuration(ms) : describeValue(value)}`);
    return ms;
  };

  private record(path: string, value: unknown): Record<string, unknown> {
    return isRecord(value) ? value : this.fail(path, `must be a mapping, got ${describeValue(value)}`);
  }

  private known(path: string, record: Record<string, unknown>, allowed: readonly string[], elsewhere?: Record<string, string>): void {
    const unknown = findUnknownKey(record, allowed, elsewhere);
    if (unknown) this.fail(path ? `${path}.${unknown.key}` : unknown.key, `is not a known setting${unknown.hint}`);
  }

  /** Throws the one-line error: the flag that set `path` when the CLI labelled it, else file and field path. */
  private fail(path: string, reason: string): never {
    const label = this.labels[path];
    throw new ConfigError(`${label ?? (this.file ? `${this.file}: ${path}` : path)} ${reason}`);
  }
}

function usbLabel(match: UsbMatch | undefined): string {
  if (!match) return '';
  return ['usb', match.vendorId, match.productId, ...(match.serialNumber ? [match.serialNumber] : [])].join(':');
}
