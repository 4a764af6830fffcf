// The `mqtt` section of the configuration: which broker a node bridges its ports to, as what node,
// with which credentials and TLS files. Resolved by config.ts's resolver through resolveMqtt(), so
// errors name the file, the field (or the flag) and the reason like every other setting; documented
// in docs/config.md (fields) and docs/fleet.md (what goes over the broker).
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { describeValue, findUnknownKey, isRecord } from './config-checks.js';
import { formatDuration, parseDuration } from './config-units.js';
import { DEFAULT_TOPIC_ROOT, isTopicLevel } from './mqtt/topics.js';
import { checkRole, type Role } from './wire/roles.js';

/** The `mqtt` section as written (YAML, or the object a test passes to start()). */
export interface MqttInput {
  /** The broker: mqtt://, mqtts://, ws:// or wss://, with its port (and path for WebSockets). */
  url?: string;
  /** This node's name in topics (default: the host name). */
  node?: string;
  root?: string;
  username?: string;
  /** Omitted: SERIALDECK_MQTT_PASSWORD from the environment, else none. */
  password?: string;
  /** PEM files: the CA that signed the broker's certificate, and this node's client certificate and key. */
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  /** The role an input request gets: viewer, operator or admin. */
  inputRole?: string;
  /** Keepalive: ms, or text such as "30s". */
  keepalive?: number | string;
}

/** The resolved `mqtt` section: everything the bridge needs to connect (the TLS files are read when it starts). */
export interface MqttConfig {
  url: string;
  node: string;
  /** First topic level(s), e.g. `serialdeck` or `lab/serialdeck`. */
  root: string;
  username: string | null;
  /** Never logged. */
  password: string | null;
  /** Absolute paths of PEM files, or null. */
  ca: string | null;
  cert: string | null;
  key: string | null;
  /** Refuse a broker whose certificate does not verify (false only for a test broker). */
  rejectUnauthorized: boolean;
  /** Role of input requests (capped at viewer by readOnly; a node with a token also requires it in the request). */
  inputRole: Role;
  /** MQTT keepalive, in seconds: the broker publishes the Last Will (offline) within 1.5 times this after the node vanishes. */
  keepaliveSeconds: number;
}

/** Every default of the section, with its reason; docs/config.md shows these. `node`'s default is the host name. */
export const MQTT_DEFAULTS = Object.freeze({
  root: DEFAULT_TOPIC_ROOT, // one tree per fleet; change it to share a broker with other tenants
  rejectUnauthorized: true, // a broker that cannot prove who it is gets no serial traffic or credentials
  inputRole: 'operator' as Role, // may type to a board, not change its baud or release it (admin does that)
  keepaliveSeconds: 30, // offline shows within 45 s; a ping every 30 s costs nothing on a LAN or a mobile link
});

/** Keepalive range, in seconds: under 5 s floods a broker of thousands of nodes with pings; MQTT's field holds 65535 at most. */
const MIN_KEEPALIVE_SECONDS = 5;
const MAX_KEEPALIVE_SECONDS = 65_535;
/** URL schemes mqtt.js speaks that a node may use: plain or TLS, over TCP or WebSockets. */
const MQTT_SCHEMES = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];
const MQTT_KEYS = ['url', 'node', 'root', 'username', 'password', 'ca', 'cert', 'key', 'rejectUnauthorized', 'inputRole', 'keepalive'] as const;

/** What resolveMqtt needs from the resolver: how to fail naming a field, the environment, and the config file (relative paths). */
export interface MqttResolveContext {
  /** Throws the one-line ConfigError for `path` (the resolver names the flag or the file). */
  fail(path: string, reason: string): never;
  env: Record<string, string | undefined>;
  file: string | null;
  /** The host name, the node's default name (default: os.hostname()). */
  hostname?: () => string;
}

/** Resolves the `mqtt` section; undefined when it is absent (no bridge). Throws through `context.fail`. */
export function resolveMqtt(value: unknown, context: MqttResolveContext): MqttConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const { fail } = context;
  if (!isRecord(value)) return fail('mqtt', `must be a mapping with at least url, got ${describeValue(value)}`);
  const unknown = findUnknownKey(value, MQTT_KEYS);
  if (unknown) fail(`mqtt.${unknown.key}`, `is not a known setting${unknown.hint}`);
  const text = (key: string): string | undefined => {
    const v = value[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string' && v.trim() !== '') return v;
    // The password's value is never echoed, even a wrong one.
    return fail(`mqtt.${key}`, `must be a non-empty string, got ${key === 'password' ? typeof v : describeValue(v)}`);
  };
  const file = (key: string): string | null => {
    const v = text(key);
    return v === undefined ? null : resolve(context.file ? dirname(context.file) : '.', v);
  };

  const url = text('url');
  if (url === undefined) return fail('mqtt.url', 'is required: the broker, like mqtt://broker.local:1883 or mqtts://broker.local:8883');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('mqtt.url', `is not a URL like mqtt://broker.local:1883, got ${describeValue(redactUrl(url))}`);
  }
  if (!MQTT_SCHEMES.includes(parsed.protocol) || parsed.hostname === '')
    return fail('mqtt.url', `must be ${MQTT_SCHEMES.map((s) => `${s}//host`).join(', ')}, got ${describeValue(redactUrl(url))}`);
  const username = text('username') ?? null;
  if (username !== null && parsed.username !== '') fail('mqtt.username', 'is also given in mqtt.url: give the user in one place');

  const node = text('node') ?? (context.hostname ?? hostname)();
  if (!isTopicLevel(node)) {
    const rule = 'must be 1 to 64 characters without "/", "+", "#" or NUL, not starting with "$"';
    fail('mqtt.node', `${rule} (it is one topic level), got ${describeValue(node)}${value.node === undefined ? ' from the host name: set one' : ''}`);
  }
  const root = text('root') ?? MQTT_DEFAULTS.root;
  if (!root.split('/').every(isTopicLevel))
    fail('mqtt.root', `must be topic levels separated by "/", each without "+", "#" or NUL and not starting with "$", got ${describeValue(root)}`);

  const rejectUnauthorized = value.rejectUnauthorized;
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean')
    return fail('mqtt.rejectUnauthorized', `must be true or false, got ${describeValue(rejectUnauthorized)}`);
  let inputRole = MQTT_DEFAULTS.inputRole;
  if (value.inputRole !== undefined) {
    const checked = checkRole(value.inputRole);
    inputRole = checked.ok ? checked.role : fail('mqtt.inputRole', checked.error);
  }
  const cert = file('cert');
  const key = file('key');
  if ((cert === null) !== (key === null))
    fail(cert === null ? 'mqtt.cert' : 'mqtt.key', `is needed with ${cert === null ? 'mqtt.key' : 'mqtt.cert'}: a client certificate and its key go together`);

  return {
    url,
    node,
    root,
    username,
    password: text('password') ?? (context.env.SERIALDECK_MQTT_PASSWORD || null),
    ca: file('ca'),
    cert,
    key,
    rejectUnauthorized: rejectUnauthorized ?? MQTT_DEFAULTS.rejectUnauthorized,
    inputRole,
    keepaliveSeconds: keepalive(value.keepalive, fail),
  };
}

function keepalive(value: unknown, fail: MqttResolveContext['fail']): number {
  if (value === undefined) return MQTT_DEFAULTS.keepaliveSeconds;
  const ms = parseDuration(value);
  if (typeof ms !== 'number') return fail('mqtt.keepalive', ms.refusal ?? 'is not valid');
  const seconds = ms / 1000;
  if (!Number.isInteger(seconds) || seconds < MIN_KEEPALIVE_SECONDS || seconds > MAX_KEEPALIVE_SECONDS) {
    const got = Number.isFinite(ms) ? formatDuration(ms) : describeValue(value);
    return fail('mqtt.keepalive', `must be whole seconds from ${MIN_KEEPALIVE_SECONDS}s to ${MAX_KEEPALIVE_SECONDS}s, got ${got}`);
  }
  return seconds;
}

/** A broker URL fit for a log line or an error: any password in it replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL: cut what looks like user:password@.
    return url.replace(/\/\/[^/@]*@/, '//***@');
  }
}
