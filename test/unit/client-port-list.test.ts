import { describe, expect, it } from 'vitest';
import { fetchPortList, portListUrl, type FetchLike } from '../../client/connection/port-list.js';
import { portSummary } from './client-fakes.js';

const answering = (ok: boolean, body: unknown): FetchLike & { urls: string[] } => {
  const urls: string[] = [];
  const fn = (async (url: string) => {
    urls.push(url);
    return { ok, json: async () => body };
  }) as FetchLike & { urls: string[] };
  fn.urls = urls;
  return fn;
};

describe('port list', () => {
  it('is fetched beside the page, keeping a reverse-proxy sub-path and dropping query and hash', () => {
    expect(portListUrl('https://pi/deck/?token=x#/uno')).toBe('https://pi/deck/api/ports');
    expect(portListUrl('http://h:1/index.html')).toBe('http://h:1/api/ports');
  });

  it('returns the listed ports', async () => {
    const ports = [portSummary('demo'), portSummary('uno')];
    const fetchFn = answering(true, ports);
    expect(await fetchPortList('http://h:1/', fetchFn)).toEqual(ports);
    expect(fetchFn.urls).toEqual(['http://h:1/api/ports']);
  });

  it('returns null on a refusal, a body that is not a port list, or a network error', async () => {
    expect(await fetchPortList('http://h:1/', answering(false, []))).toBeNull();
    expect(await fetchPortList('http://h:1/', answering(true, { ports: [] }))).toBeNull();
    expect(await fetchPortList('http://h:1/', answering(true, [{ id: 'x' }]))).toBeNull();
    const failing: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchPortList('http://h:1/', failing)).toBeNull();
  });
});
