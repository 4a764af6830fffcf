import { describe, expect, it } from 'vitest';
import { parseCli } from '../../server/cli-args.js';
import { ConfigError, DEFAULT_CONFIG, isLoopbackHost } from '../../server/config.js';

const serve = (argv: string[], env: Record<string, string> = {}) => {
  const command = parseCli(argv, env);
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`);
  return command.config;
};

describe('parseCli', () => {
  it('defaults to the demo board on loopback', () => {
    expect(serve([])).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toMatchObject({ device: 'demo', host: '127.0.0.1', token: null, readOnly: false });
  });

  it('maps every flag', () => {
    expect(
      serve([
        '/dev/ttyACM0',
        '--baud', '9600',
        '--host', '0.0.0.0',
        '--port', '0',
        '--token', 'sekrit-token',
        '--read-only',
        '--no-dtr',
        '--no-rts',
        '--char-delay', '2',
        '--line-delay', '50',
        '--max-clients', '4',
        '--scrollback', '512KiB',
        '--allow-origin', 'https://pi.local:8443/',
        '--allow-origin', 'http://dash.lan',
      ]),
    ).toEqual({
      device: '/dev/ttyACM0',
      baudRate: 9600,
      host: '0.0.0.0',
      port: 0,
      token: 'sekrit-token',
      readOnly: true,
      dtr: false,
      rts: false,
      charDelayMs: 2,
      lineDelayMs: 50,
      maxClients: 4,
      scrollbackBytes: 512 * 1024,
      allowedOrigins: ['https://pi.local:8443', 'http://dash.lan'],
    });
  });

  it('takes short flags and the token from the environment', () => {
    expect(serve(['-b', '57600', '-p', '9000', '-H', '::1'], { SERIALDECK_TOKEN: 'from-the-env' })).toMatchObject({
      baudRate: 57600,
      port: 9000,
      host: '::1',
      token: 'from-the-env',
    });
  });

  it('knows list, help and version', () => {
    expect(parseCli(['list'], {})).toEqual({ kind: 'list' });
    expect(parseCli(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCli(['-v'], {})).toEqual({ kind: 'version' });
  });

  it.each([
    [['--baud', 'fast'], /--baud expects a whole number/],
    [['--baud', '0'], /baud rate must be an integer/],
    [['--port', '70000'], /port must be an integer from 0 to 65535/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['a', 'b'], /one device at a time/],
    [['--token', 'short'], /at least 8 characters/],
    [['--scrollback', '3 parsecs'], /--scrollback expects a size/],
    [['--allow-origin', 'not a url'], /is not a URL/],
    [['--allow-origin', 'http://x.lan/path'], /scheme:\/\/host\[:port\] only/],
    [['list', 'extra'], /list takes no arguments/],
  ])('rejects %j with a one-line reason', (argv, reason) => {
    let error: unknown;
    try {
      parseCli(argv, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('%s is loopback', (h) =>
    expect(isLoopbackHost(h)).toBe(true),
  );
  it.each(['0.0.0.0', '::', '192.168.1.10', 'pi.local'])('%s is not', (h) => expect(isLoopbackHost(h)).toBe(false));
});
