// A certificate and key that the user configured (tls.cert, tls.key): read once at start and checked, so a
// wrong path, a key of another certificate or an expired certificate is said before anything is served.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describeError } from '../capture/fs-errors.js';
import { ConfigError } from '../config-error.js';

/** A PEM certificate chain (server certificate first) and its private key, ready for https.createServer. */
export interface CertFiles {
  cert: string;
  key: string;
  /** The server certificate (the first in the chain). */
  x509: X509Certificate;
}

/**
 * Reads `certFile` and `keyFile`. Throws ConfigError naming the field and the file when one cannot be read, is not
 * PEM, or the key does not belong to the certificate (an encrypted key is refused: nothing could type its passphrase).
 */
export async function readCertFiles(certFile: string, keyFile: string): Promise<CertFiles> {
  const cert = await readText('tls.cert', certFile);
  const key = await readText('tls.key', keyFile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new ConfigError(`tls.cert ${certFile} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    const encrypted = /passphrase|encrypted/i.test((error as Error).message) || key.includes('ENCRYPTED');
    const reason = encrypted ? 'is encrypted; give the key without a passphrase (keep the file mode 0600)' : 'is not a PEM private key';
    throw new ConfigError(`tls.key ${keyFile} ${reason}`);
  }
  if (!x509.checkPrivateKey(privateKey))
    throw new ConfigError(`tls.key ${keyFile} is not the key of the certificate in tls.cert ${certFile}`);
  return { cert, key, x509 };
}

/**
 * Reads the CA certificate(s) that sign accepted client certificates (tlsClientCa), as PEM for
 * https.createServer's `ca`, with the first one's subject for the log. Throws ConfigError naming the file.
 */
export async function readClientCa(file: string): Promise<{ pem: string; subject: string }> {
  const pem = await readText('tlsClientCa', file);
  try {
    return { pem, subject: new X509Certificate(pem).subject.replace(/\n/g, ', ') };
  } catch {
    throw new ConfigError(`tlsClientCa ${file} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
}

async function readText(field: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${field} ${file} cannot be read: ${describeError(error)}`);
  }
}
