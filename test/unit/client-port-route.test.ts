import { describe, expect, it } from 'vitest';
import { choosePort, hashForPort, portFromHash, resolveRoute } from '../../client/controls/port-route.js';
import { portSummary } from './client-fakes.js';

describe('port route (#/<id>)', () => {
  it('reads the port id from the hash, and nothing from a hash that names none', () => {
    expect(portFromHash('#/uno')).toBe('uno');
    for (const hash of ['', '#', '#/', '#uno', '#/%E0%A4%A']) expect(portFromHash(hash)).toBeNull();
  });

  it('round-trips ids that need escaping', () => {
    for (const id of ['uno', 'usb-Arduino_Uno_123-if00', 'a b/c#d', 'é']) expect(portFromHash(hashForPort(id))).toBe(id);
    expect(hashForPort('a b')).toBe('#/a%20b');
  });

  it('shows the port the URL names when it is served, else the first with a notice', () => {
    const ports = [portSummary('demo', { name: 'Demo board' }), portSummary('uno')];
    expect(choosePort('uno', ports)).toEqual({ id: 'uno', notice: null });
    expect(choosePort(null, ports)).toEqual({ id: 'demo', notice: null });
    const fallback = choosePort('mega', ports);
    expect(fallback?.id).toBe('demo');
    expect(fallback?.notice).toBe('This server has no port "mega"; showing Demo board instead.');
    expect(choosePort('uno', [])).toBeNull();
  });
});

describe('resolveRoute', () => {
  const ports = [portSummary('demo'), portSummary('uno')];

  it('follows a served port and leaves the URL alone', () => {
    expect(resolveRoute('#/uno', ports)).toEqual({ id: 'uno', notice: null, replaceHash: null });
  });

  it('names the first port in the URL when none is asked for', () => {
    expect(resolveRoute('', ports)).toEqual({ id: 'demo', notice: null, replaceHash: '#/demo' });
  });

  it('leads an unknown id to the first port, with a notice, rewriting the URL', () => {
    expect(resolveRoute('#/mega', ports)).toEqual({
      id: 'demo',
      notice: 'This server has no port "mega"; showing demo instead.',
      replaceHash: '#/demo',
    });
  });

  it('trusts the URL when the port list is unknown', () => {
    expect(resolveRoute('#/uno', [])).toEqual({ id: 'uno', notice: null, replaceHash: null });
    expect(resolveRoute('', [])).toEqual({ id: null, notice: null, replaceHash: null });
  });
});
