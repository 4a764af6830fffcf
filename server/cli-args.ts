// Maps argv onto a ConfigInput (over a --config file's) and resolves it with resolveConfig, so flags and the
// file share every check. The CLI's only logic, kept pure (but for reading the --config file) so it is unit-tested.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULTS, loadConfigFile, resolveConfig } from './config.js';
import type { Config, ConfigInput, PortInput, PortSettingsInput } from './config.js';
import { isRecord } from './config-checks.js';
import { formatDuration, formatSize, parseDuration } from './config-units.js';
import { checkReleaseMs, DATA_BITS, DEFAULT_RELEASE_MS, FLOW_CONTROLS, PARITIES, STOP_BITS } from './wire/limits.js';
import { MQTT_DEFAULTS } from './config-mqtt.js';
import { SERVICE_STATE_DIRECTORY, serviceCommand, type ServiceCommand } from './service-unit.js';
import type { Verbosity } from './log.js';
import { parseTokenCommand, type TokenCommand } from './cli-token.js';
import type { CliTlsFiles } from './cli-tls-fetch.js';

/** What the command line asks for. */
export type CliCommand =
  | { kind: 'serve'; config: Config; verbosity: Verbosity }
  | { kind: 'list' }
  /** Ask a running server (its HTTP API at `url`) to release port `portId` for `forMs`, or to take it back (`reclaim`). */
  | { kind: 'release'; portId: string; forMs: number; url: string; token: string | null; tls: CliTlsFiles }
  | { kind: 'reclaim'; portId: string; url: string; token: string | null; tls: CliTlsFiles }
  | ServiceCommand
  | TokenCommand
  | { kind: 'help' }
  | { kind: 'version' };

const d = DEFAULTS;

/** Where `release` and `reclaim` find the server when not told: the default listen address. */
export const DEFAULT_SERVER_URL = `http://${DEFAULTS.host}:${DEFAULTS.listenPort}`;

/** The --help text; every default comes from DEFAULTS. */
export const USAGE = `Usage: serialdeck [device...] [options]
       serialdeck --config FILE [options]
       serialdeck list
       serialdeck release PORT-ID [--for 60s] [--url URL] [--token T] [--cacert F] [--cert F --key F]
       serialdeck reclaim PORT-ID [--url URL] [--token T] [--cacert F] [--cert F --key F]
       serialdeck service [device...] [options]
       serialdeck token [--name NAME] [--role ROLE] [--port ID=ROLE]...

A web serial console: open the printed URL in any browser to watch and type to the devices.

  device                 a serial device path (a /dev/serial/by-id/ path survives re-plugging), or "demo" for
                         the built-in demo board; several devices serve several ports (default: ${d.ports.join(' ')})
  list                   print the serial ports with manufacturer, VID:PID, serial number and by-id path
  release PORT-ID        ask the running server to close the port for flashing (avrdude, esptool can then open
                         it) for --for (default: ${formatDuration(DEFAULT_RELEASE_MS)}); every viewer sees "released"; it reopens
                         after that, or at once with \`reclaim PORT-ID\`. --url (default: ${DEFAULT_SERVER_URL}) and
                         --token (env SERIALDECK_TOKEN) say where the server is; over https, --cacert trusts its
                         CA or self-signed certificate, --cert and --key present a client certificate
  service                print a hardened systemd unit that serves these devices with these options
  token                  make a random token for --name (default operator) with --role (viewer, operator or
                         admin; default operator) and per-port roles, and print the config entry with its hash

Server:
  -c, --config FILE      read settings from a YAML file (see docs/config.md); flags override its values,
                         and devices or --usb given here replace its ports
  -H, --host ADDR        address to listen on (default: ${d.host}); off loopback a token is required
  -p, --port N           TCP port to listen on, 0 picks a free one (default: ${d.listenPort}); also --listen-port
      --token T          access token (env SERIALDECK_TOKEN); generated and printed when needed and not given
      --read-only        viewers can watch but not type or change settings
      --max-clients N    most browser connections at once, over all ports (default: ${d.maxClients})
      --allow-origin URL also accept WebSocket connections from pages of this origin (repeatable)
      --tls-cert FILE    serve HTTPS and wss with this PEM certificate (chain) ...
      --tls-key FILE     ... and its PEM private key (both, or neither)
      --tls self-signed  serve HTTPS with a certificate made on the first start and kept in the data directory;
                         its SHA-256 fingerprint is logged at start. --tls off: plain HTTP (the default)
      --http-redirect N  with TLS, also listen on TCP port N with plain HTTP that redirects to https
      --tls-client-ca F  with TLS, accept only clients with a certificate signed by the CA in PEM file F
      --data-dir DIR     where captures are kept (default: $STATE_DIRECTORY under systemd, else
                         $XDG_STATE_HOME/serialdeck, else ~/.local/state/serialdeck)
      --no-capture       keep no capture on disk: memory only, offsets restart with the server
      --watch            also serve every USB serial device that appears, named from its by-id link
      --mqtt URL         bridge every port to this MQTT broker (mqtt://, mqtts://, ws://, wss://): output,
                         status, records and input under ${MQTT_DEFAULTS.root}/NODE/PORT/… (docs/fleet.md); credentials
                         and TLS files go in the config file's mqtt section
      --node NAME        this node's name in the topics (default: the host name)
      --mqtt-root TOPIC  first topic level(s) (default: ${MQTT_DEFAULTS.root})
      --fleet URL        also show every port of every node on this MQTT broker, grouped by node (a fleet
                         console; no local port unless given); credentials and TLS go in the fleet section
  -q, --quiet            log only errors and warnings (the log is one line per event on stderr, for journald)
      --verbose          also log every command and refusal

Ports (settings apply to every port and to those --watch adds; a port's own setting in --config wins):
      --usb VID:PID[:SERIAL]  serve the board with this USB identity wherever it enumerates (repeatable)
  -b, --baud N           baud rate (default: ${d.port.baudRate})
      --no-dtr           do not assert DTR on open (keeps an Arduino from resetting, where the driver allows)
      --no-rts           do not assert RTS on open
      --char-delay MS    write pacing: delay after each byte sent (default: ${d.port.charDelayMs})
      --line-delay MS    write pacing: delay after each line ending sent (default: ${d.port.lineDelayMs})
      --databits N       data bits: ${DATA_BITS.join(', ')} (default: ${d.port.dataBits})
      --parity P         parity: ${PARITIES.join(', ')} (default: ${d.port.parity}); no short flag (-p is the TCP port)
      --stopbits N       stop bits: ${STOP_BITS.join(', ')} (default: ${d.port.stopBits})
      --flow F           flow control: ${FLOW_CONTROLS.join(', ')} (hard = RTS/CTS, soft = XON/XOFF; default: ${d.port.flow})
      --scrollback SIZE  output kept in memory for replay, e.g. 1MiB, 512KiB (default: ${formatSize(d.port.scrollbackBytes)})
      --retain SIZE      capture kept on disk per port; oldest deleted first (default: ${formatSize(d.port.retention.bytes)})
      --retain-age AGE   capture older than this is deleted, e.g. 12h, 7d (default: ${formatDuration(d.port.retention.ageMs)})
      --writers W        shared (every operator types) or single (one holder of the keyboard; default: ${d.port.writers})

  -h, --help             show this help
  -v, --version          print the version
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  host: { type: 'string', short: 'H' },
  port: { type: 'string', short: 'p' },
  'listen-port': { type: 'string' },
  token: { type: 'string' },
  'read-only': { type: 'boolean' },
  'max-clients': { type: 'string' },
  'allow-origin': { type: 'string', multiple: true },
  tls: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'http-redirect': { type: 'string' },
  'tls-client-ca': { type: 'string' },
  'data-dir': { type: 'string' },
  'no-capture': { type: 'boolean' },
  watch: { type: 'boolean' },
  mqtt: { type: 'string' },
  node: { type: 'string' },
  'mqtt-root': { type: 'string' },
  fleet: { type: 'string' },
  usb: { type: 'string', multiple: true },
  baud: { type: 'string', short: 'b' },
  'no-dtr': { type: 'boolean' },
  'no-rts': { type: 'boolean' },
  'char-delay': { type: 'string' },
  'line-delay': { type: 'string' },
  databits: { type: 'string' },
  parity: { type: 'string' },
  stopbits: { type: 'string' },
  flow: { type: 'string' },
  scrollback: { type: 'string' },
  retain: { type: 'string' },
  'retain-age': { type: 'string' },
  writers: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function parseInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ConfigError(`${flag} expects a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * Parses argv (without node and script) and env into a command. Throws ConfigError with a one-line reason naming the
 * flag, or the --config file and field. `loadFile` reads --config (a parameter so tests can pass objects).
 */
export function parseCli(
  argv: string[],
  env: Record<string, string | undefined>,
  loadFile: (path: string) => ConfigInput = loadConfigFile,
): CliCommand {
  // Subcommands that talk to a running server take their own few flags, so they come first.
  if (argv[0] === 'release' || argv[0] === 'reclaim') return parseRelease(argv[0], argv.slice(1), env);
  if (argv[0] === 'token') return parseTokenCommand(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, tokens: true, options: OPTIONS });
  } catch (error) {
    // parseArgs' messages are already one line and name the flag.
    throw new ConfigError((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const { values, positionals, tokens } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (positionals[0] === 'list') {
    if (positionals.length > 1) throw new ConfigError('list takes no arguments');
    return { kind: 'list' };
  }
  if (positionals[0] === 'service') {
    // The flags after "service" are checked as a serve command under the unit's environment (service-unit.ts).
    const at = tokens.find((token) => token.kind === 'positional')?.index ?? 0;
    const serviceEnv = { STATE_DIRECTORY: SERVICE_STATE_DIRECTORY };
    return serviceCommand([...argv.slice(0, at), ...argv.slice(at + 1)], (args) => {
      const serve = parseCli(args, serviceEnv, loadFile);
      if (serve.kind !== 'serve') throw new ConfigError('service takes the devices and options of a serve command');
      return serve.config;
    });
  }
  if (values.port !== undefined && values['listen-port'] !== undefined)
    throw new ConfigError('give --port or --listen-port, not both (they are the same TCP port)');
  if (values['data-dir'] !== undefined && values['no-capture'])
    throw new ConfigError('give --data-dir or --no-capture, not both');
  if (values.quiet && values.verbose) throw new ConfigError('give --quiet or --verbose, not both');
  const verbosity: Verbosity = values.quiet ? 'quiet' : values.verbose ? 'verbose' : 'normal';

  const input: ConfigInput = values.config === undefined ? {} : { ...loadFile(values.config) };
  // Errors about a value a flag set name the flag, not the field path.
  const labels: Record<string, string> = {};
  const set = <K extends keyof ConfigInput>(key: K, value: ConfigInput[K] | undefined, flag: string): void => {
    if (value === undefined) return;
    input[key] = value;
    labels[key] = flag;
  };
  const portFlag = values.port === undefined ? '--listen-port' : '--port';
  set('host', values.host, '--host');
  set('listenPort', parseInteger(portFlag, values.port ?? values['listen-port']), portFlag);
  set('token', values.token, '--token');
  set('readOnly', values['read-only'] || undefined, '--read-only');
  set('maxClients', parseInteger('--max-clients', values['max-clients']), '--max-clients');
  set('watch', values.watch || undefined, '--watch');
  tlsFromFlags(values, input, labels);
  if (values['no-capture']) set('capture', false, '--no-capture');
  if (values['data-dir'] !== undefined) {
    set('dataDir', resolve(values['data-dir']), '--data-dir');
    input.capture = true; // asking for a data directory asks for a capture, whatever the file says
  }
  const origins = values['allow-origin'];
  if (origins) {
    set('allowedOrigins', origins, '--allow-origin');
    origins.forEach((_, i) => (labels[`allowedOrigins[${i}]`] = '--allow-origin'));
  }

  setMqtt(input, labels, values);
  if (values.fleet !== undefined) {
    input.fleet = { ...(isRecord(input.fleet) ? input.fleet : {}), url: values.fleet };
    labels['fleet.url'] = '--fleet';
  }

  const defaults = portDefaultsFromFlags(values);
  for (const key of Object.keys(defaults)) labels[`defaults.${key}`] = FLAG_OF_SETTING[key as keyof PortSettingsInput];
  if (defaults.retention?.bytes !== undefined) labels['defaults.retention.bytes'] = '--retain';
  if (defaults.retention?.age !== undefined) labels['defaults.retention.age'] = '--retain-age';
  if (Object.keys(defaults).length > 0) input.defaults = mergeDefaults(input.defaults, defaults);

  // Devices and --usb, in the order given, replace the file's ports.
  const ports: (PortInput | string)[] = [];
  for (const token of tokens) {
    const at = `ports[${ports.length}]`;
    if (token.kind === 'positional') {
      labels[at] = `device ${JSON.stringify(token.value)}`;
      ports.push(token.value);
    } else if (token.kind === 'option' && token.name === 'usb' && token.value !== undefined) {
      labels[at] = `--usb ${token.value}`;
      labels[`${at}.usb`] = '--usb';
      ports.push({ usb: token.value });
    }
  }
  if (ports.length > 0) input.ports = ports;

  return {
    kind: 'serve',
    config: resolveConfig(input, { env, labels, ...(values.config === undefined ? {} : { file: values.config }) }),
    verbosity,
  };
}

/** --mqtt, --node and --mqtt-root over the file's mqtt section (credentials and TLS files stay the file's). */
function setMqtt(
  input: ConfigInput,
  labels: Record<string, string>,
  values: { mqtt?: string | undefined; node?: string | undefined; 'mqtt-root'?: string | undefined },
): void {
  const flags = { url: values.mqtt, node: values.node, root: values['mqtt-root'] };
  const given = Object.entries(flags).filter(([, value]) => value !== undefined);
  if (given.length === 0) return;
  const fromFile = isRecord(input.mqtt) ? input.mqtt : {};
  if (flags.url === undefined && fromFile.url === undefined)
    throw new ConfigError(`${flags.node !== undefined ? '--node' : '--mqtt-root'} needs --mqtt URL (or mqtt.url in the config file)`);
  input.mqtt = { ...fromFile, ...Object.fromEntries(given) };
  const flagOf = { url: '--mqtt', node: '--node', root: '--mqtt-root' } as const;
  for (const [key] of given) labels[`mqtt.${key}`] = flagOf[key as keyof typeof flagOf];
}

const RELEASE_OPTIONS = {
  for: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  cacert: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
} as const;

/** `release PORT-ID [--for D] [--url U] [--token T] [--cacert F] [--cert F --key F]` and `reclaim` with the same but --for. */
function parseRelease(kind: 'release' | 'reclaim', argv: string[], env: Record<string, string | undefined>): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: RELEASE_OPTIONS });
  } catch (error) {
    throw new ConfigError(`${kind}: ${(error as Error).message.split('\n')[0] ?? 'bad arguments'}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new ConfigError(`${kind} takes one port id (see GET /api/ports), got ${positionals.length}`);
  const portId = positionals[0] as string;
  const url = values.url ?? DEFAULT_SERVER_URL;
  try {
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error('not http');
  } catch {
    throw new ConfigError(`--url must be the server's address, like ${DEFAULT_SERVER_URL}, got ${JSON.stringify(url)}`);
  }
  const token = values.token ?? (env.SERIALDECK_TOKEN || null);
  if ((values.cert === undefined) !== (values.key === undefined)) throw new ConfigError('give --cert and --key together (a client certificate and its key)');
  const tls: CliTlsFiles = {
    ...(values.cacert !== undefined ? { caFile: resolve(values.cacert) } : {}),
    ...(values.cert !== undefined && values.key !== undefined ? { certFile: resolve(values.cert), keyFile: resolve(values.key) } : {}),
  };
  if (kind === 'reclaim') {
    if (values.for !== undefined) throw new ConfigError('--for is for release, not reclaim');
    return { kind, portId, url, token, tls };
  }
  let forMs = DEFAULT_RELEASE_MS;
  if (values.for !== undefined) {
    const parsedFor = parseDuration(values.for);
    if (typeof parsedFor !== 'number') throw new ConfigError(`--for ${parsedFor.refusal}`);
    const refusal = checkReleaseMs(parsedFor);
    if (refusal !== null) throw new ConfigError(`--for ${refusal} (1s to 1h)`);
    forMs = parsedFor;
  }
  return { kind, portId, forMs, url, token, tls };
}

/** --tls, --tls-cert, --tls-key, --tls-client-ca and --http-redirect over the file's tls, tlsClientCa and httpRedirectPort; paths from the working directory. */
function tlsFromFlags(
  values: {
    tls?: string | undefined;
    'tls-cert'?: string | undefined;
    'tls-key'?: string | undefined;
    'tls-client-ca'?: string | undefined;
    'http-redirect'?: string | undefined;
  },
  input: ConfigInput,
  labels: Record<string, string>,
): void {
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw new ConfigError(`give --tls-cert and --tls-key together (a certificate and its key)`);
  if (values.tls !== undefined && cert !== undefined) throw new ConfigError('give --tls or --tls-cert/--tls-key, not both');
  if (values.tls !== undefined) {
    if (values.tls !== 'self-signed' && values.tls !== 'off')
      throw new ConfigError(`--tls must be self-signed or off (or give --tls-cert and --tls-key), got ${JSON.stringify(values.tls)}`);
    input.tls = values.tls;
    labels.tls = '--tls';
  }
  if (cert !== undefined && key !== undefined) {
    input.tls = { cert: resolve(cert), key: resolve(key) };
    Object.assign(labels, { tls: '--tls-cert', 'tls.cert': '--tls-cert', 'tls.key': '--tls-key' });
  }
  const clientCa = values['tls-client-ca'];
  if (clientCa !== undefined) {
    input.tlsClientCa = resolve(clientCa);
    labels.tlsClientCa = '--tls-client-ca';
  }
  const redirect = parseInteger('--http-redirect', values['http-redirect']);
  if (redirect !== undefined) {
    input.httpRedirectPort = redirect;
    labels.httpRedirectPort = '--http-redirect';
  }
}

/** The flag that sets each port setting, for error messages. */
const FLAG_OF_SETTING: Record<keyof PortSettingsInput, string> = {
  baud: '--baud',
  dtr: '--no-dtr',
  rts: '--no-rts',
  charDelayMs: '--char-delay',
  lineDelayMs: '--line-delay',
  dataBits: '--databits',
  parity: '--parity',
  stopBits: '--stopbits',
  flow: '--flow',
  scrollback: '--scrollback',
  retention: '--retain',
  writers: '--writers',
};

function portDefaultsFromFlags(values: {
  baud?: string | undefined;
  'no-dtr'?: boolean | undefined;
  'no-rts'?: boolean | undefined;
  'char-delay'?: string | undefined;
  'line-delay'?: string | undefined;
  databits?: string | undefined;
  parity?: string | undefined;
  stopbits?: string | undefined;
  flow?: string | undefined;
  scrollback?: string | undefined;
  retain?: string | undefined;
  'retain-age'?: string | undefined;
  writers?: string | undefined;
}): PortSettingsInput {
  const settings: PortSettingsInput = {};
  const baud = parseInteger('--baud', values.baud);
  if (baud !== undefined) settings.baud = baud;
  if (values['no-dtr']) settings.dtr = false;
  if (values['no-rts']) settings.rts = false;
  const charDelay = parseInteger('--char-delay', values['char-delay']);
  if (charDelay !== undefined) settings.charDelayMs = charDelay;
  const lineDelay = parseInteger('--line-delay', values['line-delay']);
  if (lineDelay !== undefined) settings.lineDelayMs = lineDelay;
  const dataBits = parseInteger('--databits', values.databits);
  if (dataBits !== undefined) settings.dataBits = dataBits;
  if (values.parity !== undefined) settings.parity = values.parity;
  const stopBits = parseInteger('--stopbits', values.stopbits);
  if (stopBits !== undefined) settings.stopBits = stopBits;
  if (values.flow !== undefined) settings.flow = values.flow;
  if (values.scrollback !== undefined) settings.scrollback = values.scrollback;
  if (values.writers !== undefined) settings.writers = values.writers;
  if (values.retain !== undefined || values['retain-age'] !== undefined)
    settings.retention = {
      ...(values.retain === undefined ? {} : { bytes: values.retain }),
      ...(values['retain-age'] === undefined ? {} : { age: values['retain-age'] }),
    };
  return settings;
}

/**
 * The file's defaults with the flags' over them, field by field (retention too).
 * A malformed file value is left for resolveConfig to report.
 */
function mergeDefaults(fromFile: unknown, fromFlags: PortSettingsInput): PortSettingsInput {
  if (fromFile === undefined) return fromFlags;
  if (!isRecord(fromFile)) return fromFile as PortSettingsInput;
  const merged: PortSettingsInput = { ...(fromFile as PortSettingsInput), ...fromFlags };
  if (fromFlags.retention && isRecord(fromFile.retention)) merged.retention = { ...fromFile.retention, ...fromFlags.retention };
  return merged;
}
