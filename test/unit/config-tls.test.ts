// The tls, httpRedirectPort and tlsClientCa settings: every shape the file and the flags accept, and each mistake
// refused in one line naming the file or flag, the field and the reason.
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../server/cli-args.js';
import { resolveConfig, type ConfigInput } from '../../server/config.js';
import { configRefusal } from './config-refusal.js';

const env = { HOME: '/home/pi', STATE_DIRECTORY: '/var/lib/serialdeck' };
const resolve = (input: ConfigInput, file?: string) => resolveConfig(input, { env, ...(file ? { file } : {}) });
const refusal = configRefusal;
const fromFile = (input: unknown) => refusal(() => resolve(input as ConfigInput, '/etc/serialdeck/serialdeck.yaml'));
const serve = (argv: string[], file: ConfigInput = {}) => {
  const command = parseCli(argv, env, () => file);
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`);
  return command.config;
};

describe('tls in the config', () => {
  it('is off by default, and off when written off, false or null', () => {
    for (const tls of [undefined, 'off', false, null] as const) {
      const config = resolve(tls === undefined ? {} : { tls });
      expect(config.tls).toBeUndefined();
      expect(config.httpRedirectPort).toBeUndefined();
    }
  });

  it('takes self-signed, and cert and key files relative to the config file or the home directory', () => {
    expect(resolve({ tls: 'self-signed' }).tls).toEqual({ mode: 'self-signed' });
    expect(resolve({ tls: { cert: 'tls/cert.pem', key: '~/keys/key.pem' } }, '/etc/serialdeck/serialdeck.yaml').tls).toEqual({
      mode: 'files',
      cert: '/etc/serialdeck/tls/cert.pem',
      key: '/home/pi/keys/key.pem',
    });
    expect(resolve({ tls: 'self-signed', httpRedirectPort: 80 }).httpRedirectPort).toBe(80);
    expect(resolve({ tls: 'self-signed', tlsClientCa: 'clients-ca.pem' }, '/etc/serialdeck/serialdeck.yaml').tlsClientCa).toBe('/etc/serialdeck/clients-ca.pem');
    expect(resolve({ tls: 'self-signed', tlsClientCa: null }).tlsClientCa).toBeUndefined();
  });

  it('refuses every other shape, naming the file and the field', () => {
    expect(fromFile({ tls: 'on' })).toBe(
      '/etc/serialdeck/serialdeck.yaml: tls must be self-signed, off, or a mapping with cert and key (PEM files), got "on"',
    );
    expect(fromFile({ tls: true })).toMatch(/: tls must be self-signed, off, or a mapping .*, got true$/);
    expect(fromFile({ tls: { cert: 'c.pem' } })).toBe(
      "/etc/serialdeck/serialdeck.yaml: tls.key is required with tls.cert: the certificate's PEM private key, without a passphrase",
    );
    expect(fromFile({ tls: { key: 'k.pem' } })).toMatch(/: tls\.cert is required with tls\.key: the PEM certificate/);
    expect(fromFile({ tls: { cert: 'c.pem', key: 7 } })).toMatch(/: tls\.key must be a file name .*, got 7$/);
    expect(fromFile({ tls: { cert: 'c.pem', key: 'k.pem', ca: 'ca.pem' } })).toMatch(/: tls\.ca is not a known setting/);
    expect(fromFile({ tls: 'self-signed', capture: false })).toMatch(
      /: tls self-signed keeps its certificate in the data directory, and capture is off/,
    );
    expect(fromFile({ httpRedirectPort: 80 })).toBe(
      '/etc/serialdeck/serialdeck.yaml: httpRedirectPort needs tls: without it there is no https to redirect to',
    );
    expect(fromFile({ tls: 'self-signed', httpRedirectPort: 70000 })).toBe(
      '/etc/serialdeck/serialdeck.yaml: httpRedirectPort must be an integer from 0 to 65535, got 70000',
    );
    expect(fromFile({ tlsCert: 'c.pem' })).toMatch(/tlsCert is not a known setting/);
    expect(fromFile({ tlsClientCa: 'ca.pem' })).toBe(
      '/etc/serialdeck/serialdeck.yaml: tlsClientCa needs tls: client certificates are asked for in the TLS handshake',
    );
    expect(fromFile({ tls: 'self-signed', tlsClientCa: 5 })).toMatch(/: tlsClientCa must be a file name \(the PEM certificate of the CA that signs client certificates\), got 5$/);
  });
});

describe('TLS flags', () => {
  it('set tls over the file: --tls self-signed, --tls off, and --tls-cert/--tls-key from the working directory', () => {
    expect(serve(['--tls', 'self-signed']).tls).toEqual({ mode: 'self-signed' });
    expect(serve(['--tls', 'off'], { tls: 'self-signed' }).tls).toBeUndefined();
    const files = serve(['--tls-cert', 'c.pem', '--tls-key', '/k.pem'], { tls: 'self-signed' }).tls;
    expect(files).toEqual({ mode: 'files', cert: `${process.cwd()}/c.pem`, key: '/k.pem' });
    expect(serve(['--tls', 'self-signed', '--http-redirect', '8080', '-p', '8443'])).toMatchObject({ httpRedirectPort: 8080, listenPort: 8443 });
    expect(serve(['--tls', 'self-signed', '--tls-client-ca', 'ca.pem']).tlsClientCa).toBe(`${process.cwd()}/ca.pem`);
  });

  it('name the flag in their errors', () => {
    expect(refusal(() => serve(['--tls-key', 'k.pem']))).toBe('give --tls-cert and --tls-key together (a certificate and its key)');
    expect(refusal(() => serve(['--http-redirect', '80']))).toBe('--http-redirect needs tls: without it there is no https to redirect to');
    expect(refusal(() => serve(['--tls', 'self-signed', '--http-redirect', 'http']))).toBe('--http-redirect expects a whole number, got "http"');
    expect(refusal(() => serve(['--tls', 'self-signed', '--no-capture']))).toMatch(/^--tls self-signed keeps its certificate/);
    expect(refusal(() => serve(['--tls-client-ca', 'ca.pem']))).toBe('--tls-client-ca needs tls: client certificates are asked for in the TLS handshake');
  });
});
