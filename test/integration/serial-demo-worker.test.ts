// The built-in demo board through the real path: createSerialHandle → worker thread → session →
// demo board, and back as transferred data messages.
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceState } from '../../server/wire/protocol.js';
import { DEMO_PROMPT } from '../../server/serial/devices/demo/demo-board.js';
import type { SerialHandle } from '../../server/serial/handle.js';
import { recordSerial } from '../helpers/serial-recorder.js';

/** The demo board through a recorded handle, closed after the test, with its output as text. */
function openDemo(onWorker?: (worker: Worker) => void) {
  const { handle, messages, received, until, statusSince, result } = recordSerial('demo', {}, onWorker);
  handles.push(handle);
  const text = () => new TextDecoder().decode(received());
  return {
    handle,
    messages,
    until,
    /** Output since `from` (a length of the text) once it contains `needle`. */
    output: (needle: string, from = 0) =>
      until(() => (text().indexOf(needle, from) >= 0 ? text().slice(from) : undefined), JSON.stringify(needle)),
    length: () => text().length,
    status: (state: DeviceState, from = 0) => statusSince(from, state),
    result,
    type: (keys: string) => handle.post({ type: 'write', data: new TextEncoder().encode(keys) }),
  };
}

const handles: SerialHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

describe('demo board through the worker', () => {
  it('opens, boots with READY, and ends on a prompt with no newline', async () => {
    const demo = openDemo();
    const open = await demo.status('open');
    expect(open).toMatchObject({ path: 'demo', dtr: true, rts: true });
    const boot = await demo.output(`READY\r\n${DEMO_PROMPT}`);
    expect(boot.endsWith(`READY\r\n${DEMO_PROMPT}`)).toBe(true);
    for (const message of demo.messages) {
      if (message.type === 'data') expect(message.data.buffer.byteLength).toBe(message.data.byteLength);
    }
  });

  it('echoes typed keys and answers a command', async () => {
    const demo = openDemo();
    await demo.output('READY');
    const from = demo.length();
    demo.type('echo from the browser\r');
    const reply = await demo.output(`from the browser\r\n${DEMO_PROMPT}`, from);
    expect(reply).toContain(`echo from the browser\r\nfrom the browser\r\n${DEMO_PROMPT}`);
  });

  it('transfers a write buffer it owns whole, and copies a view of a shared one', async () => {
    const demo = openDemo();
    await demo.output('READY');
    const whole = new TextEncoder().encode('echo one\r');
    demo.handle.post({ type: 'write', data: whole });
    expect(whole.byteLength).toBe(0); // transferred: detached here
    const pool = new TextEncoder().encode('xxecho two\rxx');
    demo.handle.post({ type: 'write', data: pool.subarray(2, 11) });
    expect(pool.byteLength).toBe(13); // a view of a larger buffer is copied, the pool left intact
    await demo.output(`two\r\n${DEMO_PROMPT}`);
  });

  it('reboots on a DTR pulse (reset)', async () => {
    const demo = openDemo();
    await demo.output('READY');
    const from = demo.length();
    demo.handle.post({ type: 'set-signals', pulseMs: 20 });
    expect(await demo.output('READY', from)).toContain('serialdeck demo board');
  });

  it('sends a break (the board answers <break>), changes framing, and says its modem lines work', async () => {
    const demo = openDemo();
    const { until } = demo;
    await demo.output('READY');
    expect(demo.handle.status).toMatchObject({ signals: 'available', framing: '115200 8N1' });
    const from = demo.length();
    demo.handle.post({ type: 'send-break', ms: 20, id: 1 });
    expect(await demo.output('<break>', from)).toContain('<break>\r\n> ');
    demo.handle.post({ type: 'set-framing', dataBits: 7, parity: 'even', id: 2 });
    await until(() => (demo.handle.status.framing === '115200 7E1' ? true : undefined), 'framing 7E1');
  });

  it('restarts a worker that dies and says so; the demo boots again', async () => {
    const workers: Worker[] = [];
    const demo = openDemo((worker) => workers.push(worker));
    await demo.output('READY');
    const mark = demo.messages.length;
    const from = demo.length();
    await workers[0]?.terminate();
    const restarting = await demo.status('restarting', mark);
    expect(restarting.message).toContain('serial worker stopped');
    expect(demo.handle.status.state).not.toBe('open');
    await demo.status('open', mark);
    await demo.output('READY', from);
  });

  it('keeps a release across a worker restart: the new worker starts released until the same time, and a release asked meanwhile is kept too', async () => {
    const workers: Worker[] = [];
    const demo = openDemo((worker) => workers.push(worker));
    await demo.output('READY');
    demo.handle.post({ type: 'release', forMs: 60_000, id: 1 });
    const released = await demo.status('released');
    let mark = demo.messages.length;
    await workers[0]?.terminate();
    await demo.status('restarting', mark);
    const again = await demo.status('released', mark); // not opened: the upload still has the device
    expect(again.releasedUntilMs).toBe(released.releasedUntilMs);
    expect(workers).toHaveLength(2);

    // Reclaimed, then released while no worker runs: the release is kept for the next worker, answered ok.
    demo.handle.post({ type: 'reclaim', id: 2 });
    await demo.status('open', mark);
    mark = demo.messages.length;
    await workers[1]?.terminate();
    await demo.status('restarting', mark);
    demo.handle.post({ type: 'release', forMs: 30_000, id: 3 });
    expect(await demo.result(3)).toMatchObject({ ok: true });
    expect((await demo.status('released', mark)).releasedUntilMs).toBeGreaterThan(Date.now() + 20_000);
  });

  it('close() resolves, is safe twice, and the worker sends closed', async () => {
    const demo = openDemo();
    await demo.status('open');
    await Promise.all([demo.handle.close(), demo.handle.close()]);
    expect(demo.handle.status.state).toBe('closed');
    expect(demo.messages.at(-1)).toEqual({ type: 'closed' });
  });
});
