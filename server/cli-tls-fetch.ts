// `serialdeck release` and `reclaim` against a server that serves TLS with a certificate of its own
// CA or a self-signed one (--cacert), or that asks for a client certificate (--cert, --key). Node's
// global fetch takes no such options (only a dispatcher from the undici package), so https requests
// go through node:https with them and come back as a fetch Response; plain http uses fetch itself.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { ConfigError } from './config-error.js';

/** The PEM files the CLI was given; each absent means Node's default (the system's CAs, no client certificate). */
export interface CliTlsFiles {
  /** CA certificate(s), or the server's self-signed certificate, to trust. */
  caFile?: string;
  /** A client certificate, and its key. */
  certFile?: string;
  keyFile?: string;
}

/** A fetch that uses `files` for https URLs. Reads the files now: throws ConfigError naming the flag and file when one cannot be read. */
export function fetchWithTls(files: CliTlsFiles): typeof fetch {
  const read = (flag: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError(`${flag} ${file} cannot be read: ${(error as Error).message}`);
    }
  };
  const ca = read('--cacert', files.caFile);
  const cert = read('--cert', files.certFile);
  const key = read('--key', files.keyFile);
  const tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  const tlsFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.protocol !== 'https:') return fetch(input, init);
    return new Promise((resolve, reject) => {
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = request(url, { method: init.method ?? 'GET', headers, ...tls }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const answerHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') answerHeaders.set(name, value);
          const status = res.statusCode ?? 502;
          const body = [204, 205, 304].includes(status) ? null : Buffer.concat(chunks); // a Response refuses a body with these
          resolve(new Response(body, { status, headers: answerHeaders }));
        });
      });
      req.on('error', reject);
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
  };
  return tlsFetch as typeof fetch;
}
