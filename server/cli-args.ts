// Maps argv and environment onto a Config: the CLI's only logic, kept pure so it is unit-tested.
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG, validateConfig, type Config } from './config.js';

/** What the command line asks for. */
export type CliCommand =
  | { kind: 'serve'; config: Config }
  | { kind: 'list' }
  | { kind: 'help' }
  | { kind: 'version' };

/** The --help text; every flag's default comes from DEFAULT_CONFIG. */
export const USAGE = `Usage: serialdeck [device] [options]
       serialdeck list

A web serial console: open the printed URL in any browser to watch and type to the device.

  device                 serial device path, or "demo" for the built-in demo board (default: ${DEFAULT_CONFIG.device})
  list                   print the serial ports with manufacturer, VID:PID, serial number and by-id path

Options:
  -b, --baud N           baud rate (default: ${DEFAULT_CONFIG.baudRate})
  -H, --host ADDR        address to listen on (default: ${DEFAULT_CONFIG.host}); off loopback a token is required
  -p, --port N           TCP port, 0 picks a free one (default: ${DEFAULT_CONFIG.port})
      --token T          access token (env SERIALDECK_TOKEN); generated and printed when needed and not given
      --read-only        viewers can watch but not type or change settings
      --no-dtr           do not assert DTR on open (keeps an Arduino from resetting, where the driver allows)
      --no-rts           do not assert RTS on open
      --char-delay MS    write pacing: delay after each byte sent (default: 0)
      --line-delay MS    write pacing: delay after each line ending sent (default: 0)
      --max-clients N    most browser connections at once (default: ${DEFAULT_CONFIG.maxClients})
      --scrollback SIZE  bytes kept for replay on connect, e.g. 1MiB, 512KiB (default: 1MiB)
      --allow-origin URL also accept WebSocket connections from pages of this origin (repeatable)
  -h, --help             show this help
  -v, --version          print the version
`;

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1 << 20, mb: 1 << 20, mib: 1 << 20 };

function parseInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new ConfigError(`${flag} expects a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function parseSize(flag: string, text: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new ConfigError(`${flag} expects a size like 1MiB or 65536, got ${JSON.stringify(text)}`);
  return Number(m[1]) * unit;
}

/** Parses argv (without node and script) and env; throws ConfigError with a one-line reason. */
export function parseCli(argv: string[], env: Record<string, string | undefined>): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        baud: { type: 'string', short: 'b' },
        host: { type: 'string', short: 'H' },
        port: { type: 'string', short: 'p' },
        token: { type: 'string' },
        'read-only': { type: 'boolean' },
        'no-dtr': { type: 'boolean' },
        'no-rts': { type: 'boolean' },
        'char-delay': { type: 'string' },
        'line-delay': { type: 'string' },
        'max-clients': { type: 'string' },
        scrollback: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    // parseArgs' messages are already one line and name the flag.
    throw new ConfigError((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (positionals[0] === 'list') {
    if (positionals.length > 1) throw new ConfigError('list takes no arguments');
    return { kind: 'list' };
  }
  if (positionals.length > 1) throw new ConfigError(`one device at a time, got ${positionals.join(' ')}`);

  const d = DEFAULT_CONFIG;
  const token = values.token ?? env.SERIALDECK_TOKEN ?? null;
  const config: Config = {
    device: positionals[0] ?? d.device,
    baudRate: values.baud === undefined ? d.baudRate : parseInteger('--baud', values.baud),
    host: values.host ?? d.host,
    port: values.port === undefined ? d.port : parseInteger('--port', values.port),
    token: token === '' ? null : token,
    readOnly: values['read-only'] ?? d.readOnly,
    dtr: !values['no-dtr'],
    rts: !values['no-rts'],
    charDelayMs: values['char-delay'] === undefined ? d.charDelayMs : parseInteger('--char-delay', values['char-delay']),
    lineDelayMs: values['line-delay'] === undefined ? d.lineDelayMs : parseInteger('--line-delay', values['line-delay']),
    maxClients: values['max-clients'] === undefined ? d.maxClients : parseInteger('--max-clients', values['max-clients']),
    scrollbackBytes: values.scrollback === undefined ? d.scrollbackBytes : parseSize('--scrollback', values.scrollback),
    allowedOrigins: (values['allow-origin'] ?? []).map((o) => o.replace(/\/$/, '')),
  };
  return { kind: 'serve', config: validateConfig(config) };
}
