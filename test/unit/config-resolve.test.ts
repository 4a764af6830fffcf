import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, defaultDataDir, isLoopbackHost, isResolvedConfig, resolveConfig, type ConfigInput } from '../../server/config.js';
import { checkBaudRate, checkPacingDelay, MAX_BAUD_RATE } from '../../server/wire/limits.js';
import { configRefusal } from './config-refusal.js';

const env = { HOME: '/home/pi' };
const resolve = (input: ConfigInput) => resolveConfig(input, { env });
const errorOf = (input: unknown, file?: string): string => configRefusal(() => resolveConfig(input as ConfigInput, { env, ...(file ? { file } : {}) }));

describe('resolveConfig defaults', () => {
  it('serves the demo board on loopback with every default filled in', () => {
    const config = resolve({});
    expect(config).toEqual({
      ports: [{ id: 'demo', name: 'demo', path: 'demo', match: null, ...DEFAULTS.port }],
      host: '127.0.0.1',
      listenPort: 8080,
      token: null,
      readOnly: false,
      tokens: [],
      anonymous: null,
      lockout: { attempts: 10, windowMs: 60_000, durationMs: 300_000 },
      maxClients: 32,
      allowedOrigins: [],
      dataDir: '/home/pi/.local/state/serialdeck',
      watch: false,
      watchDefaults: DEFAULTS.port,
      file: null,
    });
    expect(DEFAULTS.port).toEqual({
      baudRate: 115200,
      dtr: true,
      rts: true,
      charDelayMs: 0,
      lineDelayMs: 0,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      flow: 'none',
      scrollbackBytes: 1024 ** 2,
      retention: { bytes: 64 * 1024 ** 2, ageMs: 14 * 86_400_000 },
      writers: 'shared',
    });
  });

  it('takes writers per port over defaults', () => {
    const config = resolve({ defaults: { writers: 'single' }, ports: ['demo', { path: '/dev/ttyUSB0', writers: 'shared' }] });
    expect(config.ports.map((p) => p.writers)).toEqual(['single', 'shared']);
    expect(config.watchDefaults.writers).toBe('single');
  });

  it('takes framing per port over defaults, field by field', () => {
    const config = resolve({
      defaults: { parity: 'even', dataBits: 7 },
      ports: ['demo', { path: '/dev/ttyUSB0', parity: 'mark', stopBits: 2, flow: 'hard' }],
    });
    expect(config.ports.map(({ dataBits, parity, stopBits, flow }) => ({ dataBits, parity, stopBits, flow }))).toEqual([
      { dataBits: 7, parity: 'even', stopBits: 1, flow: 'none' },
      { dataBits: 7, parity: 'mark', stopBits: 2, flow: 'hard' },
    ]);
    expect(config.watchDefaults).toMatchObject({ dataBits: 7, parity: 'even', stopBits: 1, flow: 'none' });
  });

  it.each([
    [{ defaults: { dataBits: 9 } }, 'defaults.dataBits must be 5, 6, 7 or 8, got 9'],
    [{ defaults: { dataBits: '8' } }, 'defaults.dataBits must be 5, 6, 7 or 8, got "8"'],
    [{ ports: [{ path: '/a', parity: 'Even' }] }, 'ports[0].parity must be none, odd, even, mark or space, got "Even"'],
    [{ ports: [{ path: '/a', stopBits: 1.5 }] }, 'ports[0].stopBits must be 1 or 2, got 1.5'],
    [{ ports: [{ path: '/a', flow: 'rtscts' }] }, 'ports[0].flow must be none, hard or soft, got "rtscts"'],
    [{ ports: [{ path: '/a', writers: 'one' }] }, 'ports[0].writers must be shared or single, got "one"'],
    [{ defaults: { writers: true } }, 'defaults.writers must be shared or single, got true'],
    [{ ports: [{ path: '/a', databits: 7 }] }, 'ports[0].databits is not a known setting (did you mean dataBits?)'],
  ])('refuses bad framing %j', (input, message) => {
    expect(() => resolve(input as ConfigInput)).toThrow(message);
  });

  it('returns fresh objects: changing one config does not change the defaults or another config', () => {
    const a = resolve({});
    a.ports[0]!.retention.bytes = 1;
    a.allowedOrigins.push('http://x');
    a.watchDefaults.baudRate = 9600;
    expect(resolve({}).ports[0]!.retention.bytes).toBe(64 * 1024 ** 2);
    expect(resolve({}).allowedOrigins).toEqual([]);
    expect(DEFAULTS.port.baudRate).toBe(115200);
  });

  it('with watch and no ports serves none until a device appears', () => {
    expect(resolve({ watch: true }).ports).toEqual([]);
  });

  it('tells a resolved config from an input', () => {
    expect(isResolvedConfig(resolve({}))).toBe(true);
    expect(isResolvedConfig({ ports: ['demo'] })).toBe(false);
  });
});

describe('resolveConfig ports', () => {
  it('serves several ports in order, each with defaults under its own settings', () => {
    const config = resolve({
      defaults: { baud: 9600, dtr: false, retention: { age: '7d' } },
      ports: [
        '/dev/ttyACM0',
        { name: 'Printer', path: '/dev/ttyUSB0', baud: 250000, lineDelayMs: 5, scrollback: '4MiB', retention: { bytes: '256MiB' } },
        'demo',
      ],
    });
    expect(config.ports.map((p) => [p.id, p.name, p.path, p.baudRate, p.dtr])).toEqual([
      ['ttyacm0', 'ttyacm0', '/dev/ttyACM0', 9600, false],
      ['printer', 'Printer', '/dev/ttyUSB0', 250000, false],
      ['demo', 'demo', 'demo', 9600, false],
    ]);
    expect(config.ports[1]).toMatchObject({ lineDelayMs: 5, scrollbackBytes: 4 * 1024 ** 2, retention: { bytes: 256 * 1024 ** 2, ageMs: 7 * 86_400_000 } });
    expect(config.ports[0]!.retention).toEqual({ bytes: 64 * 1024 ** 2, ageMs: 7 * 86_400_000 });
    expect(config.watchDefaults).toMatchObject({ baudRate: 9600, dtr: false, retention: { ageMs: 7 * 86_400_000 } });
  });

  it('takes ids from id, name, a by-id path, a path or a USB identity', () => {
    const ids = resolve({
      ports: [
        { id: 'bench', path: '/dev/ttyACM0' },
        { name: 'Left Uno', path: '/dev/ttyACM1' },
        '/dev/serial/by-id/usb-Arduino_Uno_1234-if00',
        '/dev/ttyUSB0',
        { usb: '2341:0043' },
        { usb: '2341:0043:ABC123' },
      ],
    }).ports.map((p) => p.id);
    expect(ids).toEqual(['bench', 'left-uno', 'arduino-uno-1234', 'ttyusb0', 'usb-2341-0043', 'usb-2341-0043-abc123']);
  });

  it('refuses two ports with one id, naming both entries', () => {
    expect(errorOf({ ports: ['/dev/ttyACM0', 'demo', '/dev/ttyACM0'] }, 'serialdeck.yaml')).toBe(
      'serialdeck.yaml: ports[2] (/dev/ttyACM0) has the same id "ttyacm0" as ports[0] (/dev/ttyACM0); give one of them its own id',
    );
    expect(errorOf({ ports: [{ name: 'Uno', path: '/a' }, { id: 'uno', path: '/b' }] })).toMatch(/^ports\[1\] \(\/b\) has the same id "uno" as ports\[0\] \(\/a\)/);
  });

  it('reads a USB identity as text or as a mapping, hex compared lowercase', () => {
    const [text, mapping, withColons] = resolve({
      ports: [
        { usb: '2341:0043:7583ABC' },
        { usb: { vendorId: '0403', productId: '6001', serialNumber: 'A50285BI' } },
        { usb: '303A:1001:F4:12:FA:00:11:22' },
      ],
    }).ports;
    expect(text).toMatchObject({ path: 'usb:2341:0043:7583ABC', match: { vendorId: '2341', productId: '0043', serialNumber: '7583ABC' } });
    expect(mapping).toMatchObject({ id: 'usb-0403-6001-a50285bi', match: { vendorId: '0403', productId: '6001', serialNumber: 'A50285BI' } });
    // An ESP32's serial number is its MAC, colons and all: everything after the second colon is the serial.
    expect(withColons!.match).toEqual({ vendorId: '303a', productId: '1001', serialNumber: 'F4:12:FA:00:11:22' });
    expect(resolve({ ports: [{ usb: '2341:0043' }] }).ports[0]!.match).toEqual({ vendorId: '2341', productId: '0043' });
  });

  it.each([
    [{ ports: [{ usb: '2341' }] }, 'ports[0].usb must be VID:PID or VID:PID:SERIAL with 4 hex digits each, like 2341:0043 (see serialdeck list), got "2341"'],
    [{ ports: [{ usb: 'zzzz:0043' }] }, 'ports[0].usb must be VID:PID or VID:PID:SERIAL'],
    [{ ports: [{ usb: { vendorId: 403, productId: '6001' } }] }, 'ports[0].usb.vendorId must be 4 hex digits in quotes, like "0403", got 403'],
    [{ ports: [{ usb: { vendorId: '0403', product: '6001' } }] }, 'ports[0].usb.product is not a known setting (did you mean productId?)'],
    [{ ports: [{ usb: { vendorId: '0403', productId: '6001', serialNumber: 1234 } }] }, 'ports[0].usb.serialNumber must be the serial number in quotes, got 1234'],
    [{ ports: [{ usb: '2341:0043', path: '/dev/ttyACM0' }] }, 'ports[0] has both path and usb'],
    [{ ports: [{ name: 'x' }] }, 'ports[0] needs a path (a device, or "demo") or a usb identity (VID:PID[:SERIAL])'],
    [{ ports: [''] }, 'ports[0] must be a non-empty string, got ""'],
    [{ ports: [42] }, 'ports[0] must be a mapping, got 42'],
    [{ ports: [{ id: 'Bad Id', path: '/a' }] }, 'ports[0].id must be lowercase letters, digits'],
    [{ ports: '/dev/ttyACM0' }, 'ports must be a list of ports, got "/dev/ttyACM0"'],
    [{ ports: [] }, 'ports must list at least one port (or set watch: true)'],
  ])('refuses a bad port %j', (input, message) => expect(errorOf(input, 'pi.yaml')).toContain(`pi.yaml: ${message}`));
});

describe('resolveConfig errors name the file, the field and the reason', () => {
  it.each([
    [{ ports: ['demo', { path: '/a', baud: 0 }] }, 'serialdeck.yaml: ports[1].baud must be an integer from 1 to 20000000, got 0'],
    [{ ports: [{ path: '/a', baud: 'fast' }] }, 'serialdeck.yaml: ports[0].baud must be an integer from 1 to 20000000, got "fast"'],
    [{ defaults: { charDelayMs: 10_001 } }, 'serialdeck.yaml: defaults.charDelayMs must be an integer from 0 to 10000 ms, got 10001'],
    [{ defaults: { lineDelayMs: -1 } }, 'serialdeck.yaml: defaults.lineDelayMs must be an integer from 0 to 10000 ms, got -1'],
    [{ defaults: { dtr: 'yes' } }, 'serialdeck.yaml: defaults.dtr must be true or false, got "yes"'],
    [{ defaults: { scrollback: '1KiB' } }, 'serialdeck.yaml: defaults.scrollback must be from 4KiB to 1GiB, got 1KiB'],
    [{ defaults: { scrollback: '3 parsecs' } }, 'serialdeck.yaml: defaults.scrollback must be a size like 1MiB, 512KiB or 65536 (bytes), got "3 parsecs"'],
    [{ ports: [{ path: '/a', retention: { bytes: '512KiB' } }] }, 'serialdeck.yaml: ports[0].retention.bytes must be from 1MiB to 1TiB, got 512KiB'],
    [{ ports: [{ path: '/a', retention: { age: '30s' } }] }, 'serialdeck.yaml: ports[0].retention.age must be from 1m to 3650d, got 30s'],
    [{ ports: [{ path: '/a', retention: { age: 'forever' } }] }, 'serialdeck.yaml: ports[0].retention.age must be a duration like 30m, 12h or 7d, got "forever"'],
    [{ ports: [{ path: '/a', retention: '7d' }] }, 'serialdeck.yaml: ports[0].retention must be a mapping, got "7d"'],
    [{ listenPort: 70000 }, 'serialdeck.yaml: listenPort must be an integer from 0 to 65535, got 70000'],
    [{ maxClients: 0 }, 'serialdeck.yaml: maxClients must be an integer from 1 to 10000, got 0'],
    [{ host: '' }, 'serialdeck.yaml: host must be a non-empty string, got ""'],
    [{ token: 'short' }, 'serialdeck.yaml: token must be at least 8 characters, got 5'],
    [{ readOnly: 1 }, 'serialdeck.yaml: readOnly must be true or false, got 1'],
    [{ watch: 'on' }, 'serialdeck.yaml: watch must be true or false, got "on"'],
    [{ allowedOrigins: 'http://a' }, 'serialdeck.yaml: allowedOrigins must be a list of origins like http://host:port, got "http://a"'],
    [{ allowedOrigins: ['http://ok.lan', 'not a url'] }, 'serialdeck.yaml: allowedOrigins[1] is not a URL like http://host:port, got "not a url"'],
    [{ allowedOrigins: ['http://x.lan/path'] }, 'serialdeck.yaml: allowedOrigins[0] must be scheme://host[:port] only, got "http://x.lan/path"'],
    [{ dataDir: 42 }, 'serialdeck.yaml: dataDir must be a non-empty string, got 42'],
    [{ defaults: [] }, 'serialdeck.yaml: defaults must be a mapping, got a list'],
  ])('%j', (input, message) => expect(errorOf(input, 'serialdeck.yaml')).toBe(message));

  it('without a file, the message starts with the field', () => {
    expect(errorOf({ listenPort: -1 })).toBe('listenPort must be an integer from 0 to 65535, got -1');
  });

  it('a whole input that is not a mapping names the file', () => {
    expect(errorOf(['demo'], 'serialdeck.yaml')).toBe('serialdeck.yaml: must be a mapping of settings, got a list');
  });
});

describe('resolveConfig unknown keys', () => {
  it.each([
    [{ prots: [] }, 'serialdeck.yaml: prots is not a known setting (did you mean ports?)'],
    [{ port: 8080 }, 'serialdeck.yaml: port is not a known setting (did you mean listenPort?)'],
    [{ listen_port: 8080 }, 'serialdeck.yaml: listen_port is not a known setting (did you mean listenPort?)'],
    [{ ports: [{ path: '/a', baudRate: 9600 }] }, 'serialdeck.yaml: ports[0].baudRate is not a known setting (did you mean baud?)'],
    [{ ports: [{ device: '/a' }] }, 'serialdeck.yaml: ports[0].device is not a known setting (did you mean path?)'],
    [{ ports: [{ path: '/a', retention: { size: '1GiB' } }] }, 'serialdeck.yaml: ports[0].retention.size is not a known setting (known: bytes, age)'],
    [{ baud: 9600 }, 'serialdeck.yaml: baud is not a known setting (a port setting: put it under defaults or under one port)'],
    [{ defaults: { path: '/a' } }, 'serialdeck.yaml: defaults.path is not a known setting (it names one port: put it in an entry under ports)'],
    [{ ports: [{ path: '/a', host: '0.0.0.0' }] }, 'serialdeck.yaml: ports[0].host is not a known setting (a server setting: put it at the top level)'],
    [{ colour: 'blue' }, 'serialdeck.yaml: colour is not a known setting (known: ports, host, listenPort, token, tokens, anonymous, lockout, readOnly, maxClients, allowedOrigins, dataDir, capture, watch, tls, httpRedirectPort, tlsClientCa, audit, defaults, mqtt, fleet)'],
  ])('%j', (input, message) => expect(errorOf(input, 'serialdeck.yaml')).toBe(message));
});

describe('resolveConfig limits are the wire limits', () => {
  // The same words the wire decoder uses (wire/limits.ts), behind the field path: one limit, written once.
  it('refuses baud 20000001 with the wire words', () => {
    expect(errorOf({ defaults: { baud: MAX_BAUD_RATE + 1 } })).toBe(`defaults.baud ${checkBaudRate(MAX_BAUD_RATE + 1)}`);
    expect(errorOf({ defaults: { baud: Number.MAX_SAFE_INTEGER } })).toBe(`defaults.baud ${checkBaudRate(Number.MAX_SAFE_INTEGER)}`);
    expect(resolve({ defaults: { baud: MAX_BAUD_RATE } }).ports[0]!.baudRate).toBe(MAX_BAUD_RATE);
  });

  it('refuses pacing past the wire limit with the wire words', () => {
    expect(errorOf({ ports: [{ path: '/a', charDelayMs: 1.5 }] })).toBe(`ports[0].charDelayMs ${checkPacingDelay(1.5)}`);
  });
});

describe('resolveConfig environment', () => {
  it('puts the data directory in systemd StateDirectory, else XDG_STATE_HOME, else ~/.local/state', () => {
    const dir = (e: Record<string, string>) => resolveConfig({}, { env: e }).dataDir;
    expect(dir({ HOME: '/home/pi', XDG_STATE_HOME: '/x/state', STATE_DIRECTORY: '/var/lib/serialdeck' })).toBe('/var/lib/serialdeck');
    expect(dir({ STATE_DIRECTORY: '/var/lib/serialdeck:/var/lib/other' })).toBe('/var/lib/serialdeck');
    expect(dir({ HOME: '/home/pi', XDG_STATE_HOME: '/x/state' })).toBe('/x/state/serialdeck');
    // The XDG spec: a relative XDG_STATE_HOME is invalid and ignored.
    expect(dir({ HOME: '/home/pi', XDG_STATE_HOME: 'rel/state' })).toBe('/home/pi/.local/state/serialdeck');
    expect(dir({ HOME: '/home/pi' })).toBe('/home/pi/.local/state/serialdeck');
    expect(defaultDataDir({ HOME: '/h' })).toBe('/h/.local/state/serialdeck');
  });

  it('an explicit dataDir wins; a relative one is taken from the config file folder; ~ is the home', () => {
    const e = { HOME: '/home/pi', STATE_DIRECTORY: '/var/lib/serialdeck' };
    expect(resolveConfig({ dataDir: '/srv/captures' }, { env: e }).dataDir).toBe('/srv/captures');
    expect(resolveConfig({ dataDir: 'captures' }, { env: e, file: '/etc/serialdeck/serialdeck.yaml' }).dataDir).toBe('/etc/serialdeck/captures');
    expect(resolveConfig({ dataDir: '~/captures' }, { env: e }).dataDir).toBe('/home/pi/captures');
  });

  it('no capture: capture false or dataDir null', () => {
    expect(resolve({ capture: false }).dataDir).toBeNull();
    expect(resolve({ capture: false, dataDir: '/srv/x' }).dataDir).toBeNull();
    expect(resolve({ dataDir: null }).dataDir).toBeNull();
  });

  it('takes the token from SERIALDECK_TOKEN unless the input gives one (null: none)', () => {
    const e = { SERIALDECK_TOKEN: 'from-the-env' };
    expect(resolveConfig({}, { env: e }).token).toBe('from-the-env');
    expect(resolveConfig({ token: 'from-the-file' }, { env: e }).token).toBe('from-the-file');
    expect(resolveConfig({ token: null }, { env: e }).token).toBeNull();
    expect(resolveConfig({}, { env: { SERIALDECK_TOKEN: '' } }).token).toBeNull();
    expect(() => resolveConfig({}, { env: { SERIALDECK_TOKEN: 'short' } })).toThrow('SERIALDECK_TOKEN must be at least 8 characters');
  });

  // Bug: the shipped systemd unit carried SERIALDECK_TOKEN=change-me-to-a-long-random-string, long enough to be taken.
  it.each(['change-me-to-a-long-random-string', 'CHANGEME-please', 'replace_me_now', 'your-token-here', 'placeholder', 'password', 'xxxxxxxx'])(
    'refuses the placeholder token %j, from the environment or the file',
    (placeholder) => {
      const fromEnv = (): unknown => resolveConfig({}, { env: { SERIALDECK_TOKEN: placeholder } });
      expect(fromEnv).toThrow(ConfigError);
      expect(fromEnv).toThrow(/^SERIALDECK_TOKEN is a placeholder from an example, known to anyone: set a random one, e\.g\. from node -e /);
      const fromFile = (): unknown => resolveConfig({ token: placeholder }, { env, file: 'serialdeck.yaml' });
      expect(fromFile).toThrow(/^serialdeck\.yaml: token is a placeholder from an example/);
    },
  );

  it('does not echo a refused placeholder token (the error goes to the journal)', () => {
    const placeholder = 'change-me-to-a-long-random-string';
    expect(() => resolveConfig({}, { env: { SERIALDECK_TOKEN: placeholder } })).not.toThrow(placeholder);
  });

  it('takes random tokens and ordinary passphrases that merely contain a common word', () => {
    for (const token of ['Jq3v0kG9xN2bT7wLr5yH1sDf', 'my-secret-token', 'token-for-the-lab', 'changes-mean-work'])
      expect(resolveConfig({ token }, { env }).token).toBe(token);
  });

  it('names the file in the config it returns', () => {
    expect(resolveConfig({}, { env, file: 'pi.yaml' }).file).toBe('pi.yaml');
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('%s is loopback', (h) => expect(isLoopbackHost(h)).toBe(true));
  it.each(['0.0.0.0', '::', '192.168.1.10', 'pi.local'])('%s is not', (h) => expect(isLoopbackHost(h)).toBe(false));
});
