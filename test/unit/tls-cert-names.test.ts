// Which names the self-signed certificate is made for and must keep covering, checked against
// certificates Node parses (the same checks a TLS client makes).
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { missingNames, namesForNewCertificate, requiredNames } from '../../server/tls/cert-names.js';

describe('requiredNames', () => {
  it('covers loopback, the host name with its .local name, and a named listen address', () => {
    expect(requiredNames('raspberrypi', '127.0.0.1')).toEqual({ dns: ['localhost', 'raspberrypi', 'raspberrypi.local'], ips: ['127.0.0.1', '::1'] });
    expect(requiredNames('Bench-Pi.lab.example.', '192.168.1.20')).toEqual({
      dns: ['localhost', 'bench-pi.lab.example'],
      ips: ['127.0.0.1', '::1', '192.168.1.20'],
    });
    expect(requiredNames('pi', 'pi.lan').dns).toEqual(['localhost', 'pi', 'pi.local', 'pi.lan']);
    expect(requiredNames('pi', '[fd00::5]').ips).toEqual(['127.0.0.1', '::1', 'fd00::5']);
  });

  it('leaves out wildcards and names a certificate cannot carry', () => {
    expect(requiredNames('my_host', '0.0.0.0')).toEqual({ dns: ['localhost'], ips: ['127.0.0.1', '::1'] });
    expect(requiredNames('', '::')).toEqual({ dns: ['localhost'], ips: ['127.0.0.1', '::1'] });
  });
});

describe('namesForNewCertificate', () => {
  const required = requiredNames('pi', '0.0.0.0');
  it("adds the machine's current addresses when listening on a wildcard, without link-local ones", () => {
    const names = namesForNewCertificate(required, '0.0.0.0', ['192.168.1.20', 'fe80::1', '169.254.3.4', 'fd00::20', '127.0.0.1']);
    expect(names.ips).toEqual(['127.0.0.1', '::1', '192.168.1.20', 'fd00::20']);
    expect(names.dns).toEqual(required.dns);
  });

  it('adds nothing for a named listen address', () => {
    const named = requiredNames('pi', '192.168.1.20');
    expect(namesForNewCertificate(named, '192.168.1.20', ['10.0.0.9'])).toEqual(named);
  });
});

describe('missingNames', () => {
  it('lists the names a certificate does not cover, by its subjectAltNames only', async () => {
    const made = await generate([{ name: 'commonName', value: 'pi' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] }],
    });
    const cert = new X509Certificate(made.cert);
    expect(missingNames(cert, { dns: ['localhost'], ips: ['127.0.0.1', '::1'] })).toEqual([]);
    // "pi" is only the common name: clients go by subjectAltNames, and so does the check.
    expect(missingNames(cert, { dns: ['localhost', 'pi'], ips: ['127.0.0.1', '10.0.0.2'] })).toEqual(['pi', '10.0.0.2']);
  });
});
