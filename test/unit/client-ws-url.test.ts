import { describe, expect, it } from 'vitest';
import { webSocketUrl } from '../../client/connection/ws-url.js';

describe('webSocketUrl', () => {
  it('puts /ws beside the page and maps http to ws', () => {
    expect(webSocketUrl('http://127.0.0.1:8080/', null)).toBe('ws://127.0.0.1:8080/ws');
    expect(webSocketUrl('http://127.0.0.1:8080/index.html', null)).toBe('ws://127.0.0.1:8080/ws');
  });

  it('keeps a reverse-proxy sub-path and maps https to wss', () => {
    expect(webSocketUrl('https://pi.local/tools/deck/', 42)).toBe('wss://pi.local/tools/deck/ws?offset=42');
  });

  it("drops the page's own query and hash (a token in the URL is not resent)", () => {
    expect(webSocketUrl('http://h:1/?token=abc#x', 0)).toBe('ws://h:1/ws?offset=0');
  });

  it('names the stream the offset belongs to, so a restarted server does not trust it', () => {
    expect(webSocketUrl('http://h:1/', 42, 'abc-123')).toBe('ws://h:1/ws?offset=42&stream=abc-123');
    expect(webSocketUrl('http://h:1/', null, 'abc-123')).toBe('ws://h:1/ws');
  });
});
