// A remote port's link at the fleet console, with a fake broker side: the id rule, commands out as
// InputRequests (with who asked) and answers back by transaction, refusals while the node is offline,
// and the device status following the node's status and Last Will.
import { describe, expect, it } from 'vitest';
import { PORT_ID_PATTERN } from '../../server/config-port-id.js';
import { inputRequestFor } from '../../server/fleet/input-request.js';
import { remotePortId } from '../../server/fleet/remote-id.js';
import { REMOTE_ANSWER_TIMEOUT_MS, RemoteLink } from '../../server/fleet/remote-link.js';
import type { Schedule } from '../../server/fleet/stream-assembler.js';
import type { InputRequest, PortStatus } from '../../server/mqtt/fleet-messages.js';
import type { FromWorker } from '../../server/serial/messages.js';

const status: PortStatus = {
  id: 'uno',
  name: 'Uno',
  device: { state: 'open', path: '/dev/ttyACM0', baudRate: 115200, dtr: true, rts: true, charDelayMs: 0, lineDelayMs: 0 },
  capture: { state: 'capturing', start: 0, startTimeMs: null, bytesOnDisk: 0 },
  stream: { id: 's1', end: 0 },
  nextSeq: 0,
};
const admin = { source: 'ws:1@127.0.0.1', name: 'alice', role: 'admin' as const };

function setUp() {
  const sent: InputRequest[] = [];
  const messages: FromWorker[] = [];
  const timers: Array<() => void> = [];
  const schedule: Schedule = (_ms, run) => {
    timers.push(run);
    return () => timers.splice(timers.indexOf(run), 1);
  };
  const link = new RemoteLink('lab-1', 'uno', 'c0ffee', { input: (request) => sent.push(request), fetch: () => undefined }, schedule);
  link.attach((message) => messages.push(message));
  return { link, sent, messages, timers };
}

describe('remotePortId', () => {
  it('is <node>.<port> when that is a valid id, else a slug with a hash that tells similar names apart', () => {
    expect(remotePortId('lab-pi-3', 'uno')).toBe('lab-pi-3.uno');
    const a = remotePortId('Lab Pi', 'Uno');
    const b = remotePortId('lab-pi', 'uno ');
    expect(a).toMatch(/^lab-pi.uno-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    for (const id of [a, b, remotePortId('x'.repeat(64), 'y'.repeat(64)), remotePortId('_', '.')]) expect(id).toMatch(PORT_ID_PATTERN);
  });
});

describe('inputRequestFor', () => {
  it('turns the command path worker messages back into the wire vocabulary', () => {
    expect(inputRequestFor({ type: 'write', data: new TextEncoder().encode('hi\n'), id: 1 })).toEqual({ base64: 'aGkK' });
    expect(inputRequestFor({ type: 'set-signals', pulseMs: 100, id: 2 })).toEqual({ command: { type: 'reset', ms: 100 } });
    expect(inputRequestFor({ type: 'set-signals', dtr: false, id: 2 })).toEqual({ command: { type: 'set-signals', dtr: false } });
    expect(inputRequestFor({ type: 'open', id: 3 })).toEqual({ command: { type: 'reopen' } });
    expect(inputRequestFor({ type: 'set-framing', parity: 'even', id: 4 })).toEqual({ command: { type: 'set-framing', parity: 'even' } });
    expect(inputRequestFor({ type: 'consumed', bytes: 10 })).toBeNull();
  });
});

describe('RemoteLink', () => {
  it('sends a command with a unique transaction and who asked, and settles it from the node answer', async () => {
    const { link, sent, messages } = setUp();
    link.portState(status);
    link.nodeState(true);
    link.post({ type: 'set-baud', baudRate: 9600, id: 7 }, admin);
    expect(sent).toEqual([{ command: { type: 'set-baud', baudRate: 9600 }, transaction: 'c0ffee-7', from: 'alice:admin:ws:1@127.0.0.1' }]);
    link.response({ transaction: 'other-7', ok: true }); // another console's
    link.response({ transaction: 'c0ffee-7', ok: false, code: 'forbidden', message: 'needs admin' });
    expect(messages.filter((m) => m.type === 'result')).toEqual([{ type: 'result', id: 7, ok: false, error: { code: 'forbidden', message: 'needs admin' } }]);
  });

  it('refuses at once while the node is offline, and answers pending commands when it goes offline', async () => {
    const { link, sent, messages } = setUp();
    link.portState(status);
    link.post({ type: 'reclaim', id: 1 }, admin);
    await Promise.resolve();
    expect(sent).toEqual([]);
    expect(messages.at(-1)).toMatchObject({ type: 'result', id: 1, ok: false, error: { code: 'not-open', message: 'not sent: node lab-1 is offline' } });
    link.nodeState(true);
    link.post({ type: 'reclaim', id: 2 }, admin);
    link.nodeState(false);
    expect(messages.at(-1)).toMatchObject({ type: 'status', status: { state: 'waiting', message: 'node lab-1 is offline' } });
    expect(messages.filter((m) => m.type === 'result').at(-1)).toMatchObject({ id: 2, ok: false, error: { code: 'not-open' } });
  });

  it('answers a command the node never answers as a timeout', () => {
    const { link, messages, timers } = setUp();
    link.portState(status);
    link.nodeState(true);
    link.post({ type: 'reclaim', id: 3 }, admin);
    timers[0]!();
    expect(messages.at(-1)).toEqual({
      type: 'result',
      id: 3,
      ok: false,
      error: { code: 'timeout', message: `no answer from node lab-1 in ${REMOTE_ANSWER_TIMEOUT_MS} ms` },
    });
  });

  it('shows the node device status while online, and waiting (node offline) otherwise', () => {
    const { link, messages } = setUp();
    link.portState(status);
    link.nodeState(true);
    expect(link.status.state).toBe('open');
    expect(link.online).toBe(true);
    link.nodeState(false);
    expect(link.status).toMatchObject({ state: 'waiting', path: '/dev/ttyACM0', message: 'node lab-1 is offline' });
    expect(messages.filter((m) => m.type === 'status').map((m) => (m.type === 'status' ? m.status.state : ''))).toEqual(['waiting', 'waiting', 'open', 'waiting']); // attached, the node's port status (its path), online, offline
  });
});
