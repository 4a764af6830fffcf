import { describe, expect, it } from 'vitest';
import { portOptions, stateTone } from '../../client/controls/port-options.js';
import { portSummary } from './client-fakes.js';

describe('portOptions', () => {
  it("lists every port in the server's order with its name and live state", () => {
    const options = portOptions([
      portSummary('demo', { name: 'Demo board' }),
      portSummary('uno', { state: 'waiting' }),
      portSummary('mega', { state: 'closed' }),
      portSummary('esp', { state: 'restarting' }),
    ]);
    expect(options.map((o) => [o.id, o.label, o.tone])).toEqual([
      ['demo', 'Demo board · open', 'ok'],
      ['uno', 'uno · waiting', 'pending'],
      ['mega', 'mega · closed', 'idle'],
      ['esp', 'esp · restarting', 'pending'],
    ]);
  });

  it('marks a port whose capture is paused, with the reason in its tooltip', () => {
    const [option] = portOptions([
      portSummary('uno', { capture: { state: 'paused', reason: 'disk full', start: 0, startTimeMs: null, bytesOnDisk: 9 } }),
    ]);
    expect(option).toMatchObject({ capturePaused: true, label: 'uno · open · capture paused' });
    expect(option?.detail).toBe('uno (/dev/uno): open; capture paused: disk full');
  });

  it("puts the device's message in the tooltip", () => {
    const port = portSummary('uno', { state: 'waiting' });
    port.device.message = 'unplugged';
    expect(portOptions([port])[0]?.detail).toBe('uno (/dev/uno): waiting: unplugged');
  });

  it("uses this page's newer status and capture for the port it shows", () => {
    const ports = [portSummary('demo'), portSummary('uno')];
    const live = {
      id: 'uno',
      device: { ...ports[1]!.device, state: 'waiting' as const },
      capture: { state: 'paused' as const, start: 0, startTimeMs: null, bytesOnDisk: 0 },
    };
    expect(portOptions(ports, live).map((o) => o.label)).toEqual(['demo · open', 'uno · waiting · capture paused']);
    expect(portOptions(ports, { id: 'uno', device: null, capture: null }).map((o) => o.label)).toEqual([
      'demo · open',
      'uno · open',
    ]);
  });

  it('colours states like the status pill', () => {
    expect([stateTone('open'), stateTone('opening'), stateTone('closed')]).toEqual(['ok', 'pending', 'idle']);
  });
});
