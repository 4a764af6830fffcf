import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHostHeader } from '../../server/access/loopback.js';
import { isOriginAllowed } from '../../server/access/origin.js';
import { generateToken, isAuthorized, presentedToken, tokensEqual } from '../../server/access/token.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const url = (path = '/ws') => new URL(path, 'http://127.0.0.1:8080');

describe('Origin check', () => {
  it('accepts no Origin (tools) and the same host:port', () => {
    expect(isOriginAllowed(req({ host: '127.0.0.1:8080' }), [])).toBe(true);
    expect(isOriginAllowed(req({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' }), [])).toBe(true);
    expect(isOriginAllowed(req({ host: 'pi.lan:8080', origin: 'https://pi.lan:8080' }), [])).toBe(true);
  });
  it('refuses other sites, other ports and junk', () => {
    expect(isOriginAllowed(req({ host: '127.0.0.1:8080', origin: 'http://evil.example' }), [])).toBe(false);
    expect(isOriginAllowed(req({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:9999' }), [])).toBe(false);
    expect(isOriginAllowed(req({ host: '127.0.0.1:8080', origin: 'null' }), [])).toBe(false);
  });
  it('accepts an allowlisted origin', () => {
    expect(isOriginAllowed(req({ host: '127.0.0.1:8080', origin: 'http://dash.lan' }), ['http://dash.lan'])).toBe(true);
  });
  it('guards token-less servers against DNS rebinding through Host', () => {
    expect(isLoopbackHostHeader('127.0.0.1:8080')).toBe(true);
    expect(isLoopbackHostHeader('localhost:1')).toBe(true);
    expect(isLoopbackHostHeader('[::1]:8080')).toBe(true);
    expect(isLoopbackHostHeader('evil.example:8080')).toBe(false);
    expect(isLoopbackHostHeader(undefined)).toBe(false);
  });
});

describe('token', () => {
  it('generates long URL-safe tokens that differ', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generateToken()).not.toBe(a);
  });
  it('compares exactly', () => {
    expect(tokensEqual('abcdefgh', 'abcdefgh')).toBe(true);
    expect(tokensEqual('abcdefgh', 'abcdefgX')).toBe(false);
    expect(tokensEqual('abc', 'abcdefgh')).toBe(false);
  });
  it('reads bearer, cookie and query, in that order', () => {
    expect(presentedToken(req({ authorization: 'Bearer b-token' }), url('/ws?token=q'))).toBe('b-token');
    expect(presentedToken(req({ authorization: 'bearer lower-case' }), url())).toBe('lower-case'); // scheme names are case-insensitive
    expect(presentedToken(req({ authorization: 'BEARER  upper' }), url())).toBe('upper');
    expect(presentedToken(req({ cookie: 'x=1; serialdeck_token=c-token' }), url('/ws?token=q'))).toBe('c-token');
    expect(presentedToken(req({}), url('/ws?token=q-token'))).toBe('q-token');
    expect(presentedToken(req({}), url())).toBeNull();
  });
  it('authorizes everything without a configured token, and only the right token with one', () => {
    expect(isAuthorized(req({}), url(), null)).toBe(true);
    expect(isAuthorized(req({}), url(), 'the-token')).toBe(false);
    expect(isAuthorized(req({ authorization: 'Bearer wrong-one' }), url(), 'the-token')).toBe(false);
    expect(isAuthorized(req({ authorization: 'Bearer the-token' }), url(), 'the-token')).toBe(true);
  });
});
