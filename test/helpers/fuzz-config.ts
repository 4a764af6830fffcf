// Malformed config files for the fuzzing tests: YAML built from the real keys (at every level, with
// values of every type, near-miss names, and the odd YAML feature: anchors, tags, merge keys, deep
// nesting), then sometimes damaged as text; and text that is barely YAML at all. The rule they check
// (server/config-file.ts, config.ts): a file either resolves or is refused with a ConfigError whose one
// line names the file, and the field when there is one; never a TypeError or any other crash.
import fc from 'fast-check';
import { stringify } from 'yaml';

const PORT_SETTING_KEYS = ['baud', 'dtr', 'rts', 'charDelayMs', 'lineDelayMs', 'dataBits', 'parity', 'stopBits', 'flow', 'scrollback', 'retention'];
const PORT_KEYS = ['id', 'name', 'path', 'usb', ...PORT_SETTING_KEYS];
const TOP_KEYS = ['ports', 'host', 'listenPort', 'token', 'tokens', 'anonymous', 'lockout', 'readOnly', 'maxClients', 'allowedOrigins', 'dataDir', 'capture', 'watch', 'defaults', 'mqtt', 'fleet', 'tls', 'httpRedirectPort', 'tlsClientCa'];
const BROKER_KEYS = ['url', 'node', 'root', 'username', 'password', 'ca', 'cert', 'key', 'rejectUnauthorized', 'inputRole', 'keepalive'];
const NEAR_MISSES = ['Baud', 'baudrate', 'port', 'device', 'listen_port', 'read-only', 'maxclients', 'origins', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', '<<'];

/** Values of every kind, weighted towards the ones a config parser must tell apart: units, ids, roles, edges of ranges. */
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('demo', '/dev/ttyACM0', '1MiB', '64 MiB', '1.5GiB', '4KiB', '0B', '14d', '12h', '1.5h', '30m', '250ms', '0s', '1e3', '2341:0043', '2341:0043:SER', '0403', 'none', 'odd', 'even', 'mark', 'hard', 'soft', 'viewer', 'operator', 'admin', 'self-signed', 'off', 'http://127.0.0.1:8080', 'mqtt://localhost', 'sha256:' + 'ab'.repeat(32), 'sha256:xyz', 'changeme', 'aaaaaaaa', 'a-real-looking-token-123', '~', '~/x', '', ' ', '127.0.0.1', '0.0.0.0', '::') },
  { weight: 2, arbitrary: fc.constantFrom(0, 1, -1, 5, 8, 9600, 115200, 65535, 65536, 20_000_001, 2 ** 53, 1.5, 1e308, -0, Number.NaN, Number.POSITIVE_INFINITY, true, false, null) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
);

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ weight: 6, arbitrary: scalar }, { weight: 1, arbitrary: tie('list') }, { weight: 1, arbitrary: tie('map') }),
  list: fc.array(tie('any'), { maxLength: 3 }),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...PORT_KEYS, ...BROKER_KEYS, ...NEAR_MISSES), fc.string({ maxLength: 8 })), tie('any'), { maxKeys: 3 }),
})).any;

/** A mapping with some of `keys` (and now and then a near miss), each with any value or the one `special` gives. */
function mapping(keys: readonly string[], special: Record<string, fc.Arbitrary<unknown>> = {}): fc.Arbitrary<Record<string, unknown>> {
  const entry = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...keys) },
    { weight: 1, arbitrary: fc.constantFrom(...NEAR_MISSES) },
  ).chain((key) => (Object.hasOwn(special, key) ? special[key]! : value).map((v) => [key, v] as const));
  return fc.array(entry, { maxLength: 6 }).map((entries) => {
    const out: Record<string, unknown> = {};
    // defineProperty: a key named __proto__ must become a key, as YAML makes it, not the object's prototype.
    for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

const retention = fc.oneof(mapping(['bytes', 'age']), value);
const portSettings = mapping(PORT_SETTING_KEYS, { retention });
const portEntry = fc.oneof(
  { weight: 3, arbitrary: mapping(PORT_KEYS, { retention, usb: fc.oneof(mapping(['vendorId', 'productId', 'serialNumber']), value) }) },
  { weight: 1, arbitrary: scalar },
);
const tokenEntry = fc.oneof(mapping(['name', 'hash', 'role', 'ports'], { ports: fc.oneof(fc.dictionary(fc.constantFrom('demo', 'uno', '', 'x'), value, { maxKeys: 2 }), value) }), value);

/** A config as a value: the real keys at every level, with values right and wrong. */
export const configValueArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: mapping(TOP_KEYS, {
      ports: fc.oneof({ weight: 4, arbitrary: fc.array(portEntry, { maxLength: 4 }) }, { weight: 1, arbitrary: value }),
      defaults: fc.oneof(portSettings, value),
      tokens: fc.oneof(fc.array(tokenEntry, { maxLength: 3 }), value),
      lockout: fc.oneof(mapping(['attempts', 'window', 'duration']), value),
      mqtt: fc.oneof(mapping(BROKER_KEYS), value),
      fleet: fc.oneof(mapping(BROKER_KEYS), value),
      tls: fc.oneof(mapping(['cert', 'key']), value),
      allowedOrigins: fc.oneof(fc.array(scalar, { maxLength: 3 }), value),
    }),
  },
  { weight: 1, arbitrary: value },
);

/** YAML features a hand-written file may carry, as text to splice in. */
const yamlOddities = fc.constantFrom(
  'a: &x [1, 2]\nb: *x\n',
  'ports: &p\n  - demo\ndefaults: *p\n',
  'defaults:\n  <<: {baud: 9600}\n',
  'ports: !!set {demo: null}\n',
  'token: !!binary aGVsbG8gd29ybGQ=\n',
  'maxClients: !!float 3\n',
  'host: !!str\n',
  'ports: [demo, demo]\n',
  'host: a\nhost: b\n',
  'ports:\n\t- demo\n',
  '? [a, b]\n: c\n',
  '%YAML 1.1\n---\nreadOnly: yes\n',
  '---\n...\n---\nhost: x\n',
  'x: ' + '['.repeat(60) + ']'.repeat(60) + '\n',
  'x: &a [*a]\n',
  'a: &a\n  b: *a\n',
  'listenPort: 0x1F90\n',
  'listenPort: 0o17\n',
  'watch: ~\n',
  '"\\ud800": 1\n',
  '\ufeffports: [demo]\n',
  'ports:\n  - path: demo\n    retention: {bytes: 1TiB, age: 3650d}\n',
);

/** Config file text: a config value as YAML or JSON, with an oddity spliced in, cut short or with a byte changed; or text that is barely YAML. */
export const configTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: configValueArb.map((v) => stringify(v)) },
  { weight: 1, arbitrary: configValueArb.map((v) => JSON.stringify(v) ?? '') },
  { weight: 2, arbitrary: fc.tuple(configValueArb, yamlOddities).map(([v, odd]) => stringify(v) + odd) },
  { weight: 1, arbitrary: yamlOddities },
  {
    weight: 2,
    arbitrary: fc.tuple(configValueArb, fc.nat(), fc.constantFrom('', ':', '-', '\t', '&', '*', '!', '[', '{', '"', "'", '|', '>', '#', '%', '@', '\u0000', '\n  ')).map(([v, at, insert]) => {
      const text = stringify(v);
      const cut = text.length === 0 ? 0 : at % text.length;
      return text.slice(0, cut) + insert + text.slice(cut + (insert === '' ? 0 : 1));
    }),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
);
