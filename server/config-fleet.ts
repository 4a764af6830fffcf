// The `fleet` section of the configuration: the broker whose nodes a fleet console shows (every port
// of every node under `root`), with credentials and TLS files. Resolved by config.ts's resolver
// through resolveFleet(), like the `mqtt` section (config-mqtt.ts) whose URL and keepalive rules it shares.
import { dirname, resolve } from 'node:path';
import { describeValue, findUnknownKey, isRecord } from './config-checks.js';
import { MQTT_DEFAULTS, redactUrl, resolveMqtt, type MqttConfig, type MqttInput, type MqttResolveContext } from './config-mqtt.js';
import { DEFAULT_TOPIC_ROOT } from './mqtt/topics.js';

/**
 * The `fleet` section as written (YAML, or the object a test passes to start()): the broker fields
 * of the `mqtt` section (a console has no node name and takes no input), with the password from
 * SERIALDECK_FLEET_PASSWORD when omitted, and the token it presents to nodes.
 */
export type FleetInput = Omit<MqttInput, 'node' | 'inputRole'> & {
  /** The token this console presents to nodes with every command (a named token on each node); omitted: SERIALDECK_FLEET_TOKEN, else none. */
  token?: string;
};

/** The resolved `fleet` section: the bridge's broker settings (root: the nodes' root), without a node name or input role, plus the token. */
export type FleetConfig = Omit<MqttConfig, 'node' | 'inputRole'> & {
  /** Presented to nodes in every InputRequest; never logged. null: none (nodes that need no token give their mqtt.inputRole). */
  token: string | null;
};

/** The section's defaults (docs/config.md shows them): the bridge's, so a console and its nodes agree by default. */
export const FLEET_DEFAULTS = Object.freeze({
  root: DEFAULT_TOPIC_ROOT, // the nodes' default root
  rejectUnauthorized: MQTT_DEFAULTS.rejectUnauthorized, // a broker that cannot prove who it is gets no credentials
  keepaliveSeconds: MQTT_DEFAULTS.keepaliveSeconds, // a dead link is noticed within 45 s
});

const FLEET_KEYS = ['url', 'root', 'username', 'password', 'ca', 'cert', 'key', 'rejectUnauthorized', 'keepalive', 'token'] as const;

/** Resolves the `fleet` section; undefined when absent (no fleet). Throws through `context.fail`, naming `fleet.<field>`. */
export function resolveFleet(value: unknown, context: Omit<MqttResolveContext, 'hostname'>): FleetConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const { fail } = context;
  if (!isRecord(value)) return fail('fleet', `must be a mapping with at least url, got ${describeValue(value)}`);
  const unknown = findUnknownKey(value, FLEET_KEYS);
  if (unknown) fail(`fleet.${unknown.key}`, `is not a known setting${unknown.hint}`);
  if (value.url === undefined) fail('fleet.url', 'is required: the broker, like mqtt://broker.local:1883 or mqtts://broker.local:8883');
  // The URL, root, credentials, TLS and keepalive rules are the bridge's: checked once, by resolveMqtt,
  // with a fixed node name (a console has none) and its errors renamed to this section.
  const { password: _password, token: _token, ...checkedFields } = value;
  const mqtt = resolveMqtt(
    { ...checkedFields, node: 'fleet-console' },
    { ...context, fail: (path, reason) => fail(path.replace(/^mqtt\b/, 'fleet'), reason.replace(/\bmqtt\./g, 'fleet.')), hostname: () => 'fleet-console' },
  )!;
  const password = value.password;
  if (password !== undefined && (typeof password !== 'string' || password === ''))
    fail('fleet.password', `must be a non-empty string, got ${typeof password}`);
  const token = value.token;
  if (token !== undefined && (typeof token !== 'string' || token.length < 8)) fail('fleet.token', 'must be a token of at least 8 characters (serialdeck token makes one for each node\'s config)');
  const file = (name: 'ca' | 'cert' | 'key'): string | null => {
    const v = value[name];
    return typeof v === 'string' ? resolve(context.file ? dirname(context.file) : '.', v) : null;
  };
  return {
    url: mqtt.url,
    root: mqtt.root,
    username: mqtt.username,
    password: (password as string | undefined) ?? (context.env.SERIALDECK_FLEET_PASSWORD || null),
    ca: file('ca'),
    cert: file('cert'),
    key: file('key'),
    rejectUnauthorized: mqtt.rejectUnauthorized,
    keepaliveSeconds: mqtt.keepaliveSeconds,
    token: (token as string | undefined) ?? (context.env.SERIALDECK_FLEET_TOKEN || null),
  };
}

/** The broker URL for a log line: any password in it replaced. */
export function fleetUrlForLog(config: FleetConfig): string {
  return redactUrl(config.url);
}
