// Typed configuration: the one place where every option and its default is written down.
// Resolved by a pure function from flags and environment; the CLI only maps argv onto it.
import { checkBaudRate, checkPacingDelay } from './wire/limits.js';

/** Everything `start()` needs. Defaults are in DEFAULT_CONFIG. */
export interface Config {
  /** Serial device path, or `demo` for the built-in demo board. */
  device: string;
  baudRate: number;
  /** Address to listen on. Loopback by default; anything else requires a token. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Access token. Required (generated when not given) when host is not loopback. null: no auth. */
  token: string | null;
  /** Watch only: clients cannot write or change settings. */
  readOnly: boolean;
  /** Assert DTR / RTS after open (false: do not reset an Arduino on open, where the driver allows it). */
  dtr: boolean;
  rts: boolean;
  /** Write pacing in ms after each byte / after each line ending. */
  charDelayMs: number;
  lineDelayMs: number;
  /** Most WebSocket clients at once; more are refused with close code 1013. */
  maxClients: number;
  /** Scrollback kept for replay and resume, in bytes. */
  scrollbackBytes: number;
  /** Extra Origins allowed to open the WebSocket (besides the server's own host). */
  allowedOrigins: string[];
}

/** Defaults for every option; the README's flag table mirrors this. */
export const DEFAULT_CONFIG: Config = {
  device: 'demo',
  baudRate: 115200,
  host: '127.0.0.1',
  port: 8080,
  token: null,
  readOnly: false,
  dtr: true,
  rts: true,
  charDelayMs: 0,
  lineDelayMs: 0,
  maxClients: 32, // a Pi serves a room of viewers; each costs a socket and a bounded queue
  scrollbackBytes: 1024 * 1024, // 1 MiB: minutes of 115200-baud output for replay and resume
  allowedOrigins: [],
};

/** A config value that cannot be used; the CLI prints `message` and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** True for addresses only this machine can reach (no token needed there). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Checks a complete config; throws ConfigError naming the first bad value. */
export function validateConfig(config: Config): Config {
  const intIn = (name: string, v: number, min: number, max: number) => {
    if (!Number.isSafeInteger(v) || v < min || v > max)
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  };
  if (!config.device) throw new ConfigError('device must not be empty');
  const baud = checkBaudRate(config.baudRate);
  if (baud) throw new ConfigError(`baud rate ${baud}`);
  intIn('port', config.port, 0, 65535);
  for (const [name, value] of [['char delay', config.charDelayMs], ['line delay', config.lineDelayMs]] as const) {
    const refusal = checkPacingDelay(value);
    if (refusal) throw new ConfigError(`${name} ${refusal}`);
  }
  intIn('max clients', config.maxClients, 1, 10_000);
  intIn('scrollback (bytes)', config.scrollbackBytes, 4096, 1024 * 1024 * 1024);
  if (!config.host) throw new ConfigError('host must not be empty');
  if (config.token !== null && config.token.length < 8)
    throw new ConfigError('token must be at least 8 characters');
  for (const origin of config.allowedOrigins) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError(`allowed origin ${JSON.stringify(origin)} is not a URL like http://host:port`);
    }
    if (parsed.origin !== origin.replace(/\/$/, ''))
      throw new ConfigError(`allowed origin ${JSON.stringify(origin)} must be scheme://host[:port] only`);
  }
  return config;
}
