// Where the plain-HTTP listener sends a request: always this server's TLS port, on the name the client
// used only when its Host header is a plain host name, so no header or path can point it elsewhere.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redirectLocation } from '../../server/tls/http-redirect.js';

/** Host headers: noise, real names and addresses (some with ports), and names with something smuggled after them. */
const hostHeader = fc.option(
  fc.oneof(
    fc.string(),
    fc.domain(),
    fc.tuple(fc.domain(), fc.integer({ min: 0, max: 99999 })).map(([name, port]) => `${name}:${port}`),
    fc.ipV4(),
    fc.ipV6().map((ip) => `[${ip}]`),
    fc.tuple(fc.domain(), fc.constantFrom('/', '@', '\\', '#', '?', ' ', '%2f'), fc.domain()).map((parts) => parts.join('')),
  ),
  { nil: undefined },
);
/** Request targets: noise, origin-form paths and absolute-form URLs. */
const path = fc.oneof(fc.string(), fc.webPath().map((p) => `/${p}`), fc.webUrl());

describe('redirectLocation', () => {
  it('keeps the Host name and the path, and puts the TLS port in', () => {
    expect(redirectLocation('pi.local:8080', '/api/status?x=1#h', 8443, '127.0.0.1')).toBe('https://pi.local:8443/api/status?x=1#h');
    expect(redirectLocation('192.168.1.20', '/', 8443, '127.0.0.1')).toBe('https://192.168.1.20:8443/');
    expect(redirectLocation('[fd00::5]:80', '/ws', 8443, '127.0.0.1')).toBe('https://[fd00::5]:8443/ws');
    expect(redirectLocation('PI.Local', '/', 443, '127.0.0.1')).toBe('https://pi.local/');
  });

  it("falls back to the server's own host for a missing or odd Host, and to / for a path that is not origin-form", () => {
    for (const host of [undefined, '', 'evil.example/x', 'user@evil.example', 'a b', 'evil.example:99999', '-bad.example', 'x'.repeat(64)])
      expect(redirectLocation(host, '/p', 8443, '127.0.0.1'), String(host)).toBe('https://127.0.0.1:8443/p');
    expect(redirectLocation('pi', 'http://evil.example/steal', 8443, '127.0.0.1')).toBe('https://pi:8443/');
    expect(redirectLocation('pi', '*', 8443, '[::1]')).toBe('https://pi:8443/');
    expect(redirectLocation('pi', '//evil.example/x', 8443, '127.0.0.1')).toBe('https://pi:8443//evil.example/x');
  });

  it('never leaves the Host name or the fallback, whatever the header and path (property)', () => {
    fc.assert(
      fc.property(hostHeader, path, fc.integer({ min: 1, max: 65535 }), (host, target, port) => {
        const location = new URL(redirectLocation(host, target, port, '127.0.0.1'));
        expect(location.protocol).toBe('https:');
        expect(location.port).toBe(port === 443 ? '' : String(port));
        // A name other than the fallback must be the header's own name, as the client sent it (case and port aside).
        if (location.hostname !== '127.0.0.1') expect(location.hostname).toBe(host?.toLowerCase().replace(/:\d+$/, ''));
      }),
      { numRuns: 5000 },
    );
  });
});
