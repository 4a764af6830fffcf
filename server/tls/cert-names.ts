// The names a self-signed certificate is made for: what a browser or curl will be pointed at. Pure, so the
// rule is unit-tested; self-signed.ts makes and checks certificates with it.
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** Host names (DNS subjectAltNames) and IP addresses (IP subjectAltNames). */
export interface CertNames {
  dns: string[];
  ips: string[];
}

/** Addresses that mean "every interface": not a name anyone browses to. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);
/** A DNS name a certificate can carry: letters, digits and inner hyphens per label (an underscore is not allowed). */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * What a reused certificate must cover: localhost, 127.0.0.1 and ::1; this machine's host name (and NAME.local,
 * its mDNS name, when it has no dot: how a Pi is usually reached); and the listen address unless it is a wildcard.
 */
export function requiredNames(hostName: string, listenHost: string): CertNames {
  const names: CertNames = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] };
  const host = hostName.trim().toLowerCase().replace(/\.$/, '');
  if (DNS_NAME.test(host)) add(names, host);
  if (DNS_NAME.test(host) && !host.includes('.')) add(names, `${host}.local`);
  const listen = listenHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (!WILDCARD_HOSTS.has(listen) && (isIP(listen) !== 0 || DNS_NAME.test(listen))) add(names, listen);
  return names;
}

/**
 * What a new certificate covers: the required names, plus, when listening on a wildcard, the machine's current
 * addresses (`interfaceAddresses`, link-local ones left out). Those may change with DHCP, so reuse does not ask for them.
 */
export function namesForNewCertificate(required: CertNames, listenHost: string, interfaceAddresses: readonly string[]): CertNames {
  const names: CertNames = { dns: [...required.dns], ips: [...required.ips] };
  if (!WILDCARD_HOSTS.has(listenHost.replace(/^\[|\]$/g, ''))) return names;
  for (const address of interfaceAddresses) {
    // fe80::/10 needs a zone id (fe80::1%eth0) that a certificate cannot carry; 169.254/16 is no one's stable address.
    if (isIP(address) !== 0 && !/^fe[89ab]/i.test(address) && !address.startsWith('169.254.')) add(names, address);
  }
  return names;
}

/** The names in `names` that `cert` does not cover (its subjectAltNames, as a TLS client checks them); [] when it covers all. */
export function missingNames(cert: X509Certificate, names: CertNames): string[] {
  const missing = names.dns.filter((name) => cert.checkHost(name, { subject: 'never' }) === undefined);
  return missing.concat(names.ips.filter((ip) => cert.checkIP(ip) === undefined));
}

function add(names: CertNames, name: string): void {
  const list = isIP(name) !== 0 ? names.ips : names.dns;
  if (!list.includes(name)) list.push(name);
}
