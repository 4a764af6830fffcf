// The mqtt section (server/config-mqtt.ts) through resolveConfig and the CLI: defaults, every
// refusal naming its field (or flag), and a password never echoed.
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../server/cli-args.js';
import { resolveConfig, type ConfigInput } from '../../server/config.js';
import { MQTT_DEFAULTS, redactUrl } from '../../server/config-mqtt.js';
import { configRefusal } from './config-refusal.js';

const env = { HOME: '/home/pi' };
const resolve = (mqtt: unknown, file?: string, extraEnv: Record<string, string> = {}) =>
  resolveConfig({ mqtt } as ConfigInput, { env: { ...env, ...extraEnv }, ...(file ? { file } : {}) }).mqtt;
const errorOf = configRefusal;
const cli = (argv: string[], file: ConfigInput = {}) => {
  const command = parseCli(argv, env, () => file);
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`);
  return command.config;
};

describe('the mqtt config section', () => {
  it('is absent unless given, and fills every default when it is', () => {
    expect(resolveConfig({}, { env }).mqtt).toBeUndefined();
    expect(resolve({ url: 'mqtt://broker.lan', node: 'bench-3' })).toEqual({
      url: 'mqtt://broker.lan',
      node: 'bench-3',
      root: 'serialdeck',
      username: null,
      password: null,
      ca: null,
      cert: null,
      key: null,
      rejectUnauthorized: true,
      inputRole: 'operator',
      keepaliveSeconds: MQTT_DEFAULTS.keepaliveSeconds,
    });
  });

  it('takes the TLS files relative to the config file, the password from the environment, and keepalive as a duration', () => {
    const mqtt = resolve({ url: 'mqtts://b:8883', node: 'n', ca: 'ca.pem', cert: '/abs/c.pem', key: 'k.pem', keepalive: '1m', inputRole: 'admin' }, '/etc/serialdeck/pi.yaml', {
      SERIALDECK_MQTT_PASSWORD: 's3cret',
    });
    expect(mqtt).toMatchObject({ ca: '/etc/serialdeck/ca.pem', cert: '/abs/c.pem', key: '/etc/serialdeck/k.pem', password: 's3cret', keepaliveSeconds: 60, inputRole: 'admin' });
  });

  it.each([
    [{ node: 'n' }, 'mqtt.url is required'],
    [{ url: 'http://b', node: 'n' }, 'mqtt.url must be mqtt://host, mqtts://host, ws://host, wss://host, got "http://b"'],
    [{ url: 'not a url', node: 'n' }, 'mqtt.url is not a URL'],
    [{ url: 'mqtt://b', node: 'a/b' }, 'mqtt.node must be 1 to 64 characters without "/"'],
    [{ url: 'mqtt://b', node: '$SYS' }, 'mqtt.node must be'],
    [{ url: 'mqtt://b', node: 'n', root: 'lab/+' }, 'mqtt.root must be topic levels'],
    [{ url: 'mqtt://b', node: 'n', inputRole: 'root' }, 'mqtt.inputRole must be one of viewer, operator, admin'],
    [{ url: 'mqtt://b', node: 'n', keepalive: '2s' }, 'mqtt.keepalive must be whole seconds from 5s to 65535s, got 2s'],
    [{ url: 'mqtt://b', node: 'n', cert: 'c.pem' }, 'mqtt.key is needed with mqtt.cert: a client certificate and its key go together'],
    [{ url: 'mqtt://b', node: 'n', rejectUnauthorized: 'no' }, 'mqtt.rejectUnauthorized must be true or false'],
    [{ url: 'mqtt://u@b', node: 'n', username: 'v' }, 'mqtt.username is also given in mqtt.url'],
    [{ url: 'mqtt://b', node: 'n', pasword: 'x' }, 'mqtt.pasword is not a known setting (did you mean password?)'],
    ['mqtt://b', 'mqtt must be a mapping with at least url'],
  ])('refuses %j: %s', (mqtt, message) => {
    expect(errorOf(() => resolve(mqtt, 'pi.yaml'))).toContain(`pi.yaml: ${message}`);
  });

  it('defaults the node to the host name, and says to set one when the host name cannot be a topic level', () => {
    expect(resolve({ url: 'mqtt://b' })!.node.length).toBeGreaterThan(0);
    expect(errorOf(() => resolveConfig({ mqtt: { url: 'mqtt://b', node: '' } }, { env }))).toContain('mqtt.node must be a non-empty string');
  });

  it('never echoes a password, in an error or a logged URL', () => {
    expect(errorOf(() => resolve({ url: 'mqtt://b', node: 'n', password: 12345678 }))).toBe('mqtt.password must be a non-empty string, got number');
    expect(redactUrl('mqtts://user:hunter2@broker:8883/')).toBe('mqtts://user:***@broker:8883/');
    expect(redactUrl('mqtt://broker:1883')).toBe('mqtt://broker:1883');
    expect(errorOf(() => resolve({ url: 'http://user:hunter2@b', node: 'n' }))).not.toContain('hunter2');
  });
});

describe('--mqtt, --node and --mqtt-root', () => {
  it('set the section, over the file\'s, keeping its login', () => {
    expect(cli(['--mqtt', 'mqtt://b:1883', '--node', 'n1', '--mqtt-root', 'lab/sd']).mqtt).toMatchObject({ url: 'mqtt://b:1883', node: 'n1', root: 'lab/sd' });
    const file: ConfigInput = { mqtt: { url: 'mqtt://file', node: 'from-file', username: 'u', password: 'p' } };
    expect(cli(['--config', 'pi.yaml', '--node', 'n2'], file).mqtt).toMatchObject({ url: 'mqtt://file', node: 'n2', username: 'u', password: 'p' });
    expect(cli(['--config', 'pi.yaml', '--mqtt', 'mqtt://flag'], file).mqtt).toMatchObject({ url: 'mqtt://flag', node: 'from-file' });
  });

  it('name the flag in an error, and --node needs a broker', () => {
    expect(errorOf(() => cli(['--mqtt', 'http://b', '--node', 'n']))).toMatch(/^--mqtt must be mqtt:\/\/host/);
    expect(errorOf(() => cli(['--mqtt', 'mqtt://b', '--node', 'a#b']))).toMatch(/^--node must be 1 to 64 characters/);
    expect(errorOf(() => cli(['--node', 'n']))).toBe('--node needs --mqtt URL (or mqtt.url in the config file)');
    expect(errorOf(() => cli(['--mqtt-root', 'x']))).toBe('--mqtt-root needs --mqtt URL (or mqtt.url in the config file)');
  });
});
