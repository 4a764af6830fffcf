// The fleet section of the config and --fleet: defaults, what is required, errors that name the
// field or the flag, and a fleet console serving no local port unless asked to.
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../server/cli-args.js';
import { resolveConfig, type ConfigInput } from '../../server/config.js';
import { FLEET_DEFAULTS } from '../../server/config-fleet.js';
import { configRefusal } from './config-refusal.js';

const env = { HOME: '/home/pi' };
const errorOf = (input: ConfigInput): string => configRefusal(() => resolveConfig(input, { env, file: '/etc/serialdeck/serialdeck.yaml' }));

describe('fleet config', () => {
  it('resolves with the defaults, no local port, and the password from the environment', () => {
    const config = resolveConfig({ fleet: { url: 'mqtts://broker.lan:8883', username: 'console', ca: 'ca.pem' } }, {
      env: { ...env, SERIALDECK_FLEET_PASSWORD: 'from-env', SERIALDECK_FLEET_TOKEN: 'fleet-token-from-env' },
      file: '/etc/serialdeck/serialdeck.yaml',
    });
    expect(config.ports).toEqual([]);
    expect(config.fleet).toEqual({
      url: 'mqtts://broker.lan:8883',
      root: FLEET_DEFAULTS.root,
      username: 'console',
      password: 'from-env',
      ca: '/etc/serialdeck/ca.pem',
      cert: null,
      key: null,
      rejectUnauthorized: true,
      keepaliveSeconds: FLEET_DEFAULTS.keepaliveSeconds,
      token: 'fleet-token-from-env',
    });
    expect(resolveConfig({}, { env }).fleet).toBeUndefined();
    expect(errorOf({ fleet: { url: 'mqtt://b', token: 'short' } })).toMatch(/fleet\.token must be a token of at least 8 characters/);
  });

  it('refuses a missing or wrong url, an unknown field and half a client certificate, naming the field', () => {
    expect(errorOf({ fleet: {} })).toMatch(/fleet\.url.*required/);
    expect(errorOf({ fleet: { url: 'http://broker' } })).toMatch(/fleet\.url must be mqtt:/);
    expect(errorOf({ fleet: { url: 'mqtt://b', nodes: 3 } as never })).toMatch(/fleet\.nodes is not a known setting/);
    expect(errorOf({ fleet: { url: 'mqtt://b', cert: 'c.pem' } })).toMatch(/fleet\.key is needed with fleet\.cert/);
    expect(errorOf({ fleet: { url: 'mqtt://b', password: 7 } as never })).toMatch(/fleet\.password must be a non-empty string, got number/);
  });

  it('takes --fleet URL over the file, keeping the file login, and names the flag in errors', () => {
    const load = (): ConfigInput => ({ fleet: { url: 'mqtt://old', username: 'u' }, ports: ['demo'] });
    const command = parseCli(['--config', 'x.yaml', '--fleet', 'mqtt://new:1883'], env, load);
    expect(command.kind === 'serve' && command.config.fleet).toMatchObject({ url: 'mqtt://new:1883', username: 'u' });
    expect(command.kind === 'serve' && command.config.ports.map((p) => p.id)).toEqual(['demo']);
    expect(() => parseCli(['--fleet', 'nope'], env)).toThrow(/--fleet/);
  });
});
