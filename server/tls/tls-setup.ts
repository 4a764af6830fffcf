// What start() needs for TLS, from the config: the certificate and key (the configured files, or the
// self-signed certificate in the data directory), its fingerprint in the log, and the warning for a
// server that listens beyond loopback without TLS.
import { X509Certificate } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { isLoopbackHost } from '../access/loopback.js';
import type { Config } from '../config-types.js';
import type { Logger } from '../log.js';
import { namesForNewCertificate, requiredNames } from './cert-names.js';
import { readCertFiles, readClientCa } from './cert-files.js';
import { loadOrCreateSelfSigned } from './self-signed.js';

/** The certificate a TLS server uses, for https.createServer and for people to check. */
export interface TlsSetup {
  cert: string;
  key: string;
  /** SHA-256 of the certificate (DER), as `openssl x509 -fingerprint -sha256` prints it: 32 hex pairs, upper case, colons. */
  fingerprint256: string;
  /** Where the certificate is: the configured file, or the self-signed one in the data directory. */
  certFile: string;
  selfSigned: boolean;
  /** PEM of the CA(s) whose client certificates are accepted (config.tlsClientCa); null: none asked for. */
  clientCa: string | null;
}

/** This machine's names, for a self-signed certificate (a parameter so tests can pin them). */
export interface MachineNames {
  hostName: string;
  /** Its current non-internal addresses. */
  addresses: string[];
}

/** The names of the machine this runs on. */
export function machineNames(): MachineNames {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((info) => (info && !info.internal ? [info.address] : []));
  return { hostName: hostname(), addresses };
}

/**
 * Loads or makes the certificate `config.tls` asks for and logs its fingerprint (a new self-signed one at warn,
 * since whoever checked the old fingerprint must check again). Null without TLS, after warning when the server
 * listens beyond loopback in clear. Throws ConfigError for unusable certificate files.
 */
export async function setUpTls(
  config: Pick<Config, 'tls' | 'dataDir' | 'host' | 'tlsClientCa'>,
  logger: Logger,
  machine: MachineNames = machineNames(),
): Promise<TlsSetup | null> {
  const server = await serverCertificate(config, logger, machine);
  if (!server || config.tlsClientCa === undefined) return server && { ...server, clientCa: null };
  const ca = await readClientCa(config.tlsClientCa);
  logger.info(`TLS: client certificates required, signed by ${ca.subject} (${config.tlsClientCa})`);
  return { ...server, clientCa: ca.pem };
}

async function serverCertificate(
  config: Pick<Config, 'tls' | 'dataDir' | 'host'>,
  logger: Logger,
  machine: MachineNames,
): Promise<Omit<TlsSetup, 'clientCa'> | null> {
  const tls = config.tls;
  if (tls === undefined) {
    if (!isLoopbackHost(config.host))
      logger.warn(
        `listening on ${config.host} without TLS: the token and everything typed travel in clear over the network; ` +
          'use --tls self-signed, or --tls-cert and --tls-key (docs/security.md, "TLS")',
      );
    return null;
  }
  if (tls.mode === 'files') {
    const files = await readCertFiles(tls.cert, tls.key);
    const setup = { cert: files.cert, key: files.key, fingerprint256: files.x509.fingerprint256, certFile: tls.cert, selfSigned: false };
    const validTo = Date.parse(files.x509.validTo);
    if (validTo < Date.now()) logger.warn(`TLS: the certificate ${tls.cert} expired on ${new Date(validTo).toISOString().slice(0, 10)}: clients will refuse it`);
    logger.info(`TLS: certificate ${tls.cert}, SHA-256 fingerprint ${setup.fingerprint256}`);
    return setup;
  }
  const dataDir = config.dataDir;
  if (dataDir === null) throw new Error('tls: self-signed needs a data directory (config.ts refuses it without one)');
  const required = requiredNames(machine.hostName, config.host);
  const selfSigned = await loadOrCreateSelfSigned(dataDir, required, namesForNewCertificate(required, config.host, machine.addresses));
  const fingerprint256 = new X509Certificate(selfSigned.cert).fingerprint256;
  if (selfSigned.madeBecause === null) logger.info(`TLS: self-signed certificate ${selfSigned.certFile}, SHA-256 fingerprint ${fingerprint256}`);
  else
    logger.warn(
      `TLS: made a new self-signed certificate, as ${selfSigned.madeBecause}: ${selfSigned.certFile}, ` +
        `SHA-256 fingerprint ${fingerprint256} (compare it with what the browser shows before trusting it)`,
    );
  return { cert: selfSigned.cert, key: selfSigned.key, fingerprint256, certFile: selfSigned.certFile, selfSigned: true };
}
