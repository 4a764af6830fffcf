// Board controls through the WebSocket, end to end through the worker, on the demo board.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import { startTestServer } from '../helpers/test-server.js';
import { connect } from '../helpers/ws-client.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
});

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

describe('board controls', () => {
  it('reset pulses DTR and the demo board reboots, with DTR asserted again after', async () => {
    server = await startTestServer();
    const client = await connect(server.url);
    await client.untilText('READY');
    client.send({ type: 'reset' });
    await client.until(() => count(client.text(), 'READY') === 2, 'a second READY banner');
    await client.until(
      () => client.messages.some((m) => m.type === 'status' && m.device.dtr === true && m.device.state === 'open'),
      'DTR asserted again',
    );
    await client.close();
  });

  it('set-pacing is applied and reported to every client', async () => {
    server = await startTestServer();
    const a = await connect(server.url);
    const b = await connect(server.url);
    await a.untilText('READY');
    a.send({ type: 'set-pacing', charDelayMs: 1, lineDelayMs: 20 });
    await b.until(
      () => b.messages.some((m) => m.type === 'status' && m.device.charDelayMs === 1 && m.device.lineDelayMs === 20),
      'pacing in a status',
    );
    a.sendBytes('echo paced\n');
    await b.untilText('paced\r\n');
    await Promise.all([a.close(), b.close()]);
  });

  it('reopen closes and opens the device again', async () => {
    server = await startTestServer();
    const client = await connect(server.url);
    await client.untilText('READY');
    const before = client.messages.length;
    client.send({ type: 'reopen' });
    await client.until(
      () => client.messages.slice(before).some((m) => m.type === 'status' && m.device.state === 'open'),
      'open again after reopen',
    );
    expect(client.messages.slice(before).some((m) => m.type === 'status' && m.device.state !== 'open')).toBe(true);
    await client.close();
  });
});
