import { describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../server/wire/protocol.js';
import { bannerText, describeStatus, NOT_AUTHORIZED_TEXT, pageTitle, SERVER_FULL_TEXT } from '../../client/ui/status.js';

const device = (state: DeviceStatus['state'], message?: string): DeviceStatus => ({
  state,
  path: '/dev/ttyACM0',
  baudRate: 115200,
  dtr: true,
  rts: true,
  charDelayMs: 0,
  lineDelayMs: 0,
  ...(message === undefined ? {} : { message }),
});

describe('describeStatus', () => {
  it('shows the device state once connected', () => {
    const open = describeStatus({ kind: 'connected' }, device('open'), false, 0);
    expect(open).toMatchObject({ state: 'open', tone: 'ok', label: 'open', readOnly: false });
    expect(open.detail).toBe('/dev/ttyACM0 open at 115200 8N1');
    expect(describeStatus({ kind: 'connected' }, device('waiting', 'unplugged'), false, 0)).toMatchObject({
      state: 'waiting',
      label: 'waiting for device',
      detail: 'waiting for /dev/ttyACM0: unplugged',
    });
  });

  it('shows a release for flashing as its own state, with until when', () => {
    const until = new Date(2025, 0, 1, 14, 5, 10).getTime();
    expect(describeStatus({ kind: 'connected' }, { ...device('released'), releasedUntilMs: until }, false, 0)).toMatchObject({
      state: 'released',
      tone: 'pending',
      label: 'released',
      detail: '/dev/ttyACM0 released for flashing until 14:05:10',
    });
  });

  it('says connecting on first load and reconnecting after a drop', () => {
    expect(describeStatus({ kind: 'connecting', attempt: 0 }, null, false, 0).state).toBe('connecting');
    expect(describeStatus({ kind: 'connecting', attempt: 0 }, device('open'), false, 0).state).toBe('reconnecting');
    expect(describeStatus({ kind: 'connecting', attempt: 3 }, null, false, 0).state).toBe('reconnecting');
  });

  it('counts down whole seconds to the next attempt', () => {
    const retrying = { kind: 'retrying', atMs: 10_000, reason: 'lost', attempt: 2 } as const;
    expect(describeStatus(retrying, device('open'), false, 7_200).label).toBe('reconnecting in 3s');
    expect(describeStatus(retrying, device('open'), false, 9_999).label).toBe('reconnecting in 1s');
    expect(describeStatus(retrying, device('open'), false, 12_000).label).toBe('reconnecting in 1s');
  });

  it('tells a full server apart from a lost connection', () => {
    const busy = describeStatus({ kind: 'retrying', atMs: 5000, reason: 'busy', attempt: 0 }, null, false, 0);
    expect(busy).toMatchObject({ state: 'busy', tone: 'error' });
    expect(busy.detail).toContain('too many clients');
  });

  it('explains a policy refusal, and keeps read-only beside the state', () => {
    expect(describeStatus({ kind: 'unauthorized', reason: 'token required' }, null, false, 0)).toMatchObject({
      state: 'not-authorized',
      tone: 'error',
      detail: NOT_AUTHORIZED_TEXT,
    });
    expect(describeStatus({ kind: 'connected' }, device('open'), true, 0)).toMatchObject({ state: 'open', readOnly: true });
  });
});

describe('bannerText', () => {
  it('explains an empty console only when refused or the server is full', () => {
    const at = (kind: 'unauthorized' | 'busy' | 'open') =>
      bannerText(
        kind === 'unauthorized'
          ? describeStatus({ kind: 'unauthorized', reason: '' }, null, false, 0)
          : kind === 'busy'
            ? describeStatus({ kind: 'retrying', atMs: 9000, reason: 'busy', attempt: 1 }, null, false, 0)
            : describeStatus({ kind: 'connected' }, device('open'), false, 0),
      );
    expect(at('unauthorized')).toBe(NOT_AUTHORIZED_TEXT);
    expect(at('busy')).toBe(SERVER_FULL_TEXT);
    expect(at('open')).toBeNull();
  });
});

describe('pageTitle', () => {
  it("names the port and its state, or only serialdeck before the port is known", () => {
    const open = describeStatus({ kind: 'connected' }, device('open'), false, 0);
    expect(pageTitle('Uno', open)).toBe('Uno · open — serialdeck');
    expect(pageTitle(null, open)).toBe('serialdeck');
  });
});
