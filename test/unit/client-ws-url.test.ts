import { describe, expect, it } from 'vitest';
import { webSocketUrl, type SocketTarget } from '../../client/connection/ws-url.js';

const fresh: SocketTarget = { port: null, offset: null, stream: null, mode: 'live' };

describe('webSocketUrl', () => {
  it('puts /ws beside the page and maps http to ws', () => {
    expect(webSocketUrl('http://127.0.0.1:8080/', fresh)).toBe('ws://127.0.0.1:8080/ws?mode=live');
    expect(webSocketUrl('http://127.0.0.1:8080/index.html', fresh)).toBe('ws://127.0.0.1:8080/ws?mode=live');
  });

  it("uses the port's own path, escaped, beside the page", () => {
    expect(webSocketUrl('http://h:1/#/uno', { ...fresh, port: 'uno' })).toBe('ws://h:1/ws/uno?mode=live');
    expect(webSocketUrl('http://h:1/', { ...fresh, port: 'a b/c' })).toBe('ws://h:1/ws/a%20b%2Fc?mode=live');
  });

  it('keeps a reverse-proxy sub-path and maps https to wss', () => {
    expect(webSocketUrl('https://pi.local/tools/deck/', { ...fresh, port: 'uno', offset: 42 })).toBe(
      'wss://pi.local/tools/deck/ws/uno?offset=42&mode=live',
    );
  });

  it("drops the page's own query and hash (a token in the URL is not resent)", () => {
    expect(webSocketUrl('http://h:1/?token=abc#/x', { ...fresh, offset: 0 })).toBe('ws://h:1/ws?offset=0&mode=live');
  });

  it('names the stream the offset belongs to, so the server can tell an offset of another stream', () => {
    expect(webSocketUrl('http://h:1/', { ...fresh, offset: 42, stream: 'abc-123' })).toBe(
      'ws://h:1/ws?offset=42&stream=abc-123&mode=live',
    );
    expect(webSocketUrl('http://h:1/', { ...fresh, stream: 'abc-123' })).toBe('ws://h:1/ws?mode=live');
  });

  it('asks for the mode given', () => {
    expect(webSocketUrl('http://h:1/', { ...fresh, mode: 'lossless' })).toBe('ws://h:1/ws?mode=lossless');
  });
});
