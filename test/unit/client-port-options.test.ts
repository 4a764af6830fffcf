import { describe, expect, it } from 'vitest';
import { portOptions, stateTone } from '../../client/controls/port-options.js';
import { portSummary } from './client-fakes.js';

describe('portOptions', () => {
  it("lists every port in the server's order with its name, and its state only when it is not open", () => {
    const options = portOptions([
      portSummary('demo', { name: 'Demo board' }),
      portSummary('uno', { state: 'waiting' }),
      portSummary('mega', { state: 'closed' }),
      portSummary('esp', { state: 'restarting' }),
      portSummary('nano', { state: 'released' }),
    ]);
    expect(options.map((o) => [o.id, o.label, o.tone])).toEqual([
      ['demo', 'Demo board', 'ok'],
      ['uno', 'uno · waiting', 'pending'],
      ['mega', 'mega · closed', 'idle'],
      ['esp', 'esp · restarting', 'pending'],
      ['nano', 'nano · released for flashing', 'pending'],
    ]);
  });

  it("leaves the shown port's state to the status pill: its label is its name", () => {
    const ports = [portSummary('bench', { state: 'waiting' }), portSummary('uno', { state: 'waiting' })];
    const live = { id: 'bench', device: ports[0]!.device, capture: null };
    expect(portOptions(ports, live).map((o) => o.label)).toEqual(['bench', 'uno · waiting']);
    expect(portOptions(ports, live)[0]?.detail).toBe('bench (/dev/bench): waiting');
  });

  it('marks a port whose capture is paused, with the reason in its tooltip', () => {
    const [option] = portOptions([
      portSummary('uno', { capture: { state: 'paused', reason: 'disk full', start: 0, startTimeMs: null, bytesOnDisk: 9 } }),
    ]);
    expect(option).toMatchObject({ capturePaused: true, label: 'uno · capture paused' });
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
    expect(portOptions(ports, live).map((o) => [o.label, o.state])).toEqual([
      ['demo', 'open'],
      ['uno · capture paused', 'waiting'],
    ]);
    expect(portOptions(ports, { id: 'uno', device: null, capture: null }).map((o) => o.label)).toEqual(['demo', 'uno']);
  });

  it('colours states like the status pill', () => {
    expect([stateTone('open'), stateTone('opening'), stateTone('closed')]).toEqual(['ok', 'pending', 'idle']);
  });
});
