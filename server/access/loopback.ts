// Which names only this machine can reach: the one test behind "no token needed on loopback" (the
// listen address) and the DNS-rebinding guard (the Host header a browser sent).

/** True for addresses only this machine can reach: localhost, ::1, 127.0.0.0/8 (brackets and case ignored). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * DNS-rebinding guard for token-less (loopback) servers: the Host header must name a loopback
 * address, since a hostile page that rebinds its own name to 127.0.0.1 sends its own name as Host.
 */
export function isLoopbackHostHeader(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  try {
    return isLoopbackHost(new URL(`http://${hostHeader}`).hostname);
  } catch {
    return false;
  }
}
