import { describe, expect, it } from 'vitest';
import { parseCli, USAGE } from '../../server/cli-args.js';
import { DEFAULT_SERVER_URL } from '../../server/cli-args.js';
import { ConfigError, DEFAULTS, resolveConfig, type ConfigInput } from '../../server/config.js';
import { DEFAULT_RELEASE_MS } from '../../server/wire/limits.js';
import { configRefusal } from './config-refusal.js';

const env = { HOME: '/home/pi' };
const noFile = (): ConfigInput => {
  throw new Error('no --config given, nothing to read');
};
const serve = (argv: string[], extraEnv: Record<string, string> = {}, load: (path: string) => ConfigInput = noFile) => {
  const command = parseCli(argv, { ...env, ...extraEnv }, load);
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`);
  return command.config;
};
const errorOf = (argv: string[], load: (path: string) => ConfigInput = noFile): string => configRefusal(() => parseCli(argv, env, load));

describe('parseCli', () => {
  it('defaults to the demo board on loopback, exactly as resolveConfig({}) does', () => {
    expect(serve([])).toEqual(resolveConfig({}, { env }));
    expect(serve([])).toMatchObject({ ports: [{ id: 'demo', path: 'demo' }], host: '127.0.0.1', listenPort: 8080, token: null });
  });

  it('serves several devices, in the order given, --usb among them', () => {
    const config = serve(['/dev/ttyACM0', '--usb', '2341:0043:ABC', '/dev/ttyUSB0', 'demo', '--usb', '1a86:7523']);
    expect(config.ports.map((p) => [p.id, p.path])).toEqual([
      ['ttyacm0', '/dev/ttyACM0'],
      ['usb-2341-0043-abc', 'usb:2341:0043:ABC'],
      ['ttyusb0', '/dev/ttyUSB0'],
      ['demo', 'demo'],
      ['usb-1a86-7523', 'usb:1a86:7523'],
    ]);
    expect(config.ports[1]!.match).toEqual({ vendorId: '2341', productId: '0043', serialNumber: 'ABC' });
  });

  it('maps every flag; port flags apply to every port and to watched ones', () => {
    const config = serve([
      '/dev/ttyACM0',
      'demo',
      '--baud', '9600',
      '--host', '0.0.0.0',
      '--port', '0',
      '--token', 'sekrit-token',
      '--read-only',
      '--no-dtr',
      '--no-rts',
      '--char-delay', '2',
      '--line-delay', '50',
      '--databits', '7',
      '--parity', 'space',
      '--stopbits', '2',
      '--flow', 'soft',
      '--max-clients', '4',
      '--scrollback', '512KiB',
      '--retain', '256MiB',
      '--retain-age', '3d',
      '--allow-origin', 'https://pi.local:8443/',
      '--allow-origin', 'http://dash.lan',
      '--data-dir', '/srv/serialdeck',
      '--watch',
      '--writers', 'single',
    ]);
    const settings = {
      baudRate: 9600,
      dtr: false,
      rts: false,
      charDelayMs: 2,
      lineDelayMs: 50,
      dataBits: 7,
      parity: 'space',
      stopBits: 2,
      flow: 'soft',
      scrollbackBytes: 512 * 1024,
      retention: { bytes: 256 * 1024 ** 2, ageMs: 3 * 86_400_000 },
      writers: 'single',
    };
    expect(config).toEqual({
      ports: [
        { id: 'ttyacm0', name: 'ttyacm0', path: '/dev/ttyACM0', match: null, ...settings },
        { id: 'demo', name: 'demo', path: 'demo', match: null, ...settings },
      ],
      host: '0.0.0.0',
      listenPort: 0,
      token: 'sekrit-token',
      readOnly: true,
      tokens: [],
      anonymous: null,
      lockout: { attempts: 10, windowMs: 60_000, durationMs: 300_000 },
      maxClients: 4,
      allowedOrigins: ['https://pi.local:8443', 'http://dash.lan'],
      dataDir: '/srv/serialdeck',
      watch: true,
      watchDefaults: settings,
      file: null,
    });
  });

  it('takes short flags, --listen-port and the token from the environment', () => {
    expect(serve(['-b', '57600', '-p', '9000', '-H', '::1'], { SERIALDECK_TOKEN: 'from-the-env' })).toMatchObject({
      ports: [{ baudRate: 57600 }],
      listenPort: 9000,
      host: '::1',
      token: 'from-the-env',
    });
    expect(serve(['--listen-port', '9001']).listenPort).toBe(9001);
  });

  it('--no-capture: no data directory; a relative --data-dir is taken from the working directory', () => {
    expect(serve(['--no-capture']).dataDir).toBeNull();
    expect(serve(['--data-dir', 'captures']).dataDir).toBe(`${process.cwd()}/captures`);
  });

  it('knows list, help and version', () => {
    expect(parseCli(['list'], {})).toEqual({ kind: 'list' });
    expect(parseCli(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCli(['-v'], {})).toEqual({ kind: 'version' });
  });

  it('release and reclaim talk to a running server: port id, --for, --url, --token (else SERIALDECK_TOKEN)', () => {
    expect(parseCli(['release', 'uno'], {})).toEqual({
      kind: 'release',
      portId: 'uno',
      forMs: DEFAULT_RELEASE_MS,
      url: DEFAULT_SERVER_URL,
      token: null,
      tls: {},
    });
    expect(DEFAULT_SERVER_URL).toBe('http://127.0.0.1:8080');
    expect(parseCli(['release', 'uno', '--for', '2m', '--url', 'http://pi.local:9000', '--token', 'T0KEN-123'], {})).toEqual({
      kind: 'release',
      portId: 'uno',
      forMs: 120_000,
      url: 'http://pi.local:9000',
      token: 'T0KEN-123',
      tls: {},
    });
    expect(parseCli(['reclaim', 'uno'], { SERIALDECK_TOKEN: 'from-the-env' })).toEqual({
      kind: 'reclaim',
      portId: 'uno',
      url: DEFAULT_SERVER_URL,
      token: 'from-the-env',
      tls: {},
    });
  });

  it('release and reclaim take --cacert, and --cert with --key, for a TLS server (paths from the working directory)', () => {
    const command = parseCli(['reclaim', 'uno', '--url', 'https://pi.local:8443', '--cacert', 'ca.pem', '--cert', '/certs/me.pem', '--key', 'me-key.pem'], {});
    expect(command).toMatchObject({ kind: 'reclaim', tls: { caFile: `${process.cwd()}/ca.pem`, certFile: '/certs/me.pem', keyFile: `${process.cwd()}/me-key.pem` } });
    expect(() => parseCli(['release', 'uno', '--cert', 'me.pem'], {})).toThrow('give --cert and --key together (a client certificate and its key)');
  });

  it('help shows the defaults from DEFAULTS', () => {
    expect(USAGE).toContain(`(default: ${DEFAULTS.port.baudRate})`);
    expect(USAGE).toContain('TCP port to listen on, 0 picks a free one (default: 8080)');
    expect(USAGE).toContain('(default: 64MiB)');
    expect(USAGE).toContain('(default: 14d)');
    expect(USAGE).toContain('--parity P         parity: none, odd, even, mark, space (default: none); no short flag (-p is the TCP port)');
    expect(USAGE).toContain('serialdeck release PORT-ID [--for 60s]');
    for (const flag of ['--config', '--usb', '--data-dir', '--no-capture', '--watch', '--retain', '--retain-age', '--listen-port', '--databits', '--stopbits', '--flow'])
      expect(USAGE).toContain(flag);
  });

  it.each([
    [['--baud', 'fast'], '--baud expects a whole number, got "fast"'],
    [['--baud', '0'], '--baud must be an integer from 1 to 20000000, got 0'],
    [['--baud', '20000001'], '--baud must be an integer from 1 to 20000000, got 20000001'],
    [['--char-delay', '10001'], '--char-delay must be an integer from 0 to 10000 ms, got 10001'],
    [['--port', '70000'], '--port must be an integer from 0 to 65535, got 70000'],
    [['--listen-port', '70000'], '--listen-port must be an integer from 0 to 65535, got 70000'],
    [['--port', '1', '--listen-port', '2'], 'give --port or --listen-port, not both (they are the same TCP port)'],
    [['/dev/ttyACM0', '/dev/ttyACM0'], 'device "/dev/ttyACM0" has the same id "ttyacm0" as device "/dev/ttyACM0"; give one of them its own id'],
    [['--token', 'short'], '--token must be at least 8 characters, got 5'],
    [['--scrollback', '3 parsecs'], '--scrollback must be a size like 1MiB, 512KiB or 65536 (bytes), got "3 parsecs"'],
    [['--retain', '1KiB'], '--retain must be from 1MiB to 1TiB, got 1KiB'],
    [['--retain-age', 'forever'], '--retain-age must be a duration like 30m, 12h or 7d, got "forever"'],
    [['--usb', '2341'], '--usb must be VID:PID or VID:PID:SERIAL with 4 hex digits each, like 2341:0043 (see serialdeck list), got "2341"'],
    [['--allow-origin', 'not a url'], '--allow-origin is not a URL like http://host:port, got "not a url"'],
    [['--allow-origin', 'http://x.lan/path'], '--allow-origin must be scheme://host[:port] only, got "http://x.lan/path"'],
    [['--data-dir', '/x', '--no-capture'], 'give --data-dir or --no-capture, not both'],
    [['list', 'extra'], 'list takes no arguments'],
    [['--databits', '9'], '--databits must be 5, 6, 7 or 8, got 9'],
    [['--databits', 'seven'], '--databits expects a whole number, got "seven"'],
    [['--parity', 'E'], '--parity must be none, odd, even, mark or space, got "E"'],
    [['--stopbits', '3'], '--stopbits must be 1 or 2, got 3'],
    [['--flow', 'rtscts'], '--flow must be none, hard or soft, got "rtscts"'],
    [['release'], 'release takes one port id (see GET /api/ports), got 0'],
    [['release', 'uno', '--for', '60'], '--for must be a duration like 30m, 12h or 7d, got "60"'],
    [['release', 'uno', '--for', '2h'], '--for must be an integer from 1000 to 3600000 ms, got 7200000 (1s to 1h)'],
    [['release', 'uno', '--url', 'pi.local:8080'], '--url must be the server\'s address, like http://127.0.0.1:8080, got "pi.local:8080"'],
    [['reclaim', 'uno', '--for', '1m'], '--for is for release, not reclaim'],
  ])('rejects %j with a one-line reason naming the flag', (argv, reason) => expect(errorOf(argv)).toBe(reason));

  it('rejects an unknown flag with parseArgs\' one-line reason', () => expect(errorOf(['--bogus'])).toMatch(/^Unknown option '--bogus'/));
  it('release takes only its own flags', () => expect(errorOf(['release', 'uno', '--baud', '9600'])).toMatch(/^release: Unknown option '--baud'/));
});

describe('parseCli --config', () => {
  const file: ConfigInput = {
    host: '0.0.0.0',
    listenPort: 8081,
    token: 'file-token-123',
    capture: false,
    defaults: { baud: 9600, retention: { age: '7d' } },
    ports: [{ id: 'uno', path: '/dev/serial/by-id/usb-Arduino_Uno_1234-if00', baud: 57600 }, { usb: '1a86:7523', name: 'Printer' }],
  };
  const load = (path: string): ConfigInput => {
    expect(path).toBe('pi.yaml');
    return structuredClone(file);
  };

  it('serves what the file says, and names the file in the config', () => {
    const config = serve(['--config', 'pi.yaml'], {}, load);
    expect(config.ports.map((p) => [p.id, p.baudRate, p.retention.ageMs])).toEqual([
      ['uno', 57600, 7 * 86_400_000],
      ['printer', 9600, 7 * 86_400_000],
    ]);
    expect(config).toMatchObject({ host: '0.0.0.0', listenPort: 8081, token: 'file-token-123', dataDir: null, file: 'pi.yaml' });
  });

  it('flags override the file: top-level values, and defaults field by field (a port\'s own setting still wins)', () => {
    const config = serve(['-c', 'pi.yaml', '-p', '9000', '--baud', '115200', '--retain', '128MiB', '--data-dir', '/srv/sd'], {}, load);
    expect(config.listenPort).toBe(9000);
    expect(config.ports.map((p) => [p.id, p.baudRate, p.retention])).toEqual([
      ['uno', 57600, { bytes: 128 * 1024 ** 2, ageMs: 7 * 86_400_000 }],
      ['printer', 115200, { bytes: 128 * 1024 ** 2, ageMs: 7 * 86_400_000 }],
    ]);
    // --data-dir turns the capture on, whatever the file's capture: false said.
    expect(config.dataDir).toBe('/srv/sd');
  });

  it('devices on the command line replace the file\'s ports, keeping its other settings', () => {
    const config = serve(['-c', 'pi.yaml', '/dev/ttyUSB0'], {}, load);
    expect(config.ports.map((p) => [p.id, p.baudRate])).toEqual([['ttyusb0', 9600]]);
    expect(config.host).toBe('0.0.0.0');
  });

  it('an error in the file names the file and the field; one in a flag names the flag', () => {
    const bad = (): ConfigInput => ({ ports: ['demo', { path: '/a', baud: 0 }] });
    expect(errorOf(['--config', 'pi.yaml'], bad)).toBe('pi.yaml: ports[1].baud must be an integer from 1 to 20000000, got 0');
    expect(errorOf(['--config', 'pi.yaml', '--baud', '1'], bad)).toBe('pi.yaml: ports[1].baud must be an integer from 1 to 20000000, got 0');
    expect(errorOf(['--config', 'pi.yaml', '--baud', '0'], bad)).toBe('--baud must be an integer from 1 to 20000000, got 0');
    expect(errorOf(['--config', 'pi.yaml', '--retain-age', '1s'], load)).toBe('--retain-age must be from 1m to 3650d, got 1s');
  });

  it('reading the file fails with its own one-line error', () => {
    const missing = (path: string): ConfigInput => {
      throw new ConfigError(`${path}: cannot read the config file: no such file`);
    };
    expect(errorOf(['--config', 'nope.yaml'], missing)).toBe('nope.yaml: cannot read the config file: no such file');
  });
});

describe('log verbosity', () => {
  it('is normal by default, quiet with -q/--quiet, verbose with --verbose, and not both', () => {
    const verbosity = (...argv: string[]) => {
      const command = parseCli(argv, {});
      return command.kind === 'serve' ? command.verbosity : null;
    };
    expect(verbosity()).toBe('normal');
    expect(verbosity('-q')).toBe('quiet');
    expect(verbosity('--quiet')).toBe('quiet');
    expect(verbosity('--verbose')).toBe('verbose');
    expect(() => parseCli(['--quiet', '--verbose'], {})).toThrow(/--quiet or --verbose, not both/);
  });
});
