// The node side of issue 13 against a real Mosquitto and socat ptys: every byte a board sends
// reaches a plain mqtt.js subscriber exactly, by offset; typing through an InputRequest reaches the
// right board and is answered with its transaction; records and retained statuses are published.
import { randomBytes } from 'node:crypto';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InputResponse, NodeStatus, PortStatus, RecordMessage } from '../../server/mqtt/fleet-messages.js';
import { OutKind } from '../../server/mqtt/out-frame.js';
import { FRAME_MERGE_MS } from '../../server/mqtt/port-bridge.js';
import { topicsFor } from '../../server/mqtt/topics.js';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';
import { startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import { subscribe, type TestSubscriber } from './mqtt-subscriber.js';
import { hashToken } from '../../server/access/credentials.js';
import type { WritesResponse } from '../../server/wire/api.js';

const stack = cleanupAfterEach();
const ROOT = 'serialdeck';
const topics = topicsFor(ROOT);
let broker: TestBroker;

beforeEach(async () => {
  broker = await startMosquitto();
  stack.defer(() => broker.close());
});

async function subscriber(): Promise<TestSubscriber> {
  const sub = await subscribe(broker.url, ROOT);
  stack.defer(() => sub.close());
  return sub;
}

/** A node named `node` serving two ptys, bridged to the broker; resolves once its status says online. */
async function node(sub: TestSubscriber, name: string, extra: Record<string, unknown> = {}) {
  const [a, b] = [await stack.pty(), await stack.pty()];
  const server = await stack.server({ ports: [{ id: 'a', path: a.devicePath }, { id: 'b', path: b.devicePath }], mqtt: { url: broker.url, node: name, ...extra } });
  await sub.waitFor(`${name} online with both ports open`, () => {
    const status = sub.last<NodeStatus>(topics.nodeStatus(name));
    const open = (id: string) => sub.last<PortStatus>(topics.portStatus(name, id))?.device.state === 'open';
    return status?.online === true && open('a') && open('b');
  });
  return { server, a, b };
}

describe('MQTT bridge: output', () => {
  it('publishes every byte of every port exactly once, in offset order, with seq +1 per frame', async () => {
    const sub = await subscriber();
    const { a, b } = await node(sub, 'n1');
    const sentA = randomBytes(96 * 1024);
    const sentB = randomBytes(40 * 1024);
    await Promise.all([a.board.write(sentA), b.board.write(sentB)]);
    await sub.waitFor('all of a and b', () => sub.output('n1', 'a').end >= sentA.length && sub.output('n1', 'b').end >= sentB.length);

    for (const [id, sent] of [['a', sentA], ['b', sentB]] as const) {
      const out = sub.output('n1', id);
      expect(out.start).toBe(0);
      expect(out.gaps).toEqual([]);
      expect(out.repeated).toBe(0);
      expect(out.bytes().equals(sent)).toBe(true);
      const frames = out.frames;
      expect(frames.every((frame) => frame.kind === OutKind.live && frame.data.byteLength <= 16 * 1024)).toBe(true);
      frames.forEach((frame, i) => {
        if (i === 0) return;
        expect(frame.seq).toBe(frames[i - 1]!.seq + 1);
        expect(frame.offset).toBe(frames[i - 1]!.end);
        expect(frame.timeMs).toBeGreaterThanOrEqual(frames[i - 1]!.timeMs);
      });
    }
  });

  it('keeps the node and port statuses retained for a subscriber that comes later, and publishes records', async () => {
    const early = await subscriber();
    const { a, server } = await node(early, 'n2');
    const late = await subscriber();
    await late.waitFor('retained statuses', () => late.last<NodeStatus>(topics.nodeStatus('n2')) !== undefined && late.last(topics.portStatus('n2', 'b')) !== undefined);
    expect(late.last<NodeStatus>(topics.nodeStatus('n2'))).toMatchObject({ online: true, node: 'n2', ports: ['a', 'b'], version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const status = late.last<PortStatus>(topics.portStatus('n2', 'a'))!;
    expect(status).toMatchObject({ id: 'a', name: 'a', device: { state: 'open' }, stream: { id: server.registry.get('a')!.channel.streamId } });
    expect(status.capture.state).toBe('capturing');

    await a.board.write('{"temp":21.5,"ok":true}\nplain text\n{"temp":22}\n');
    const records = topics.records('n2', 'a');
    await late.waitFor('two records', () => late.all(records).length >= 2);
    const got = late.all<RecordMessage>(records);
    expect(got.map((r) => r.fields)).toEqual([{ temp: 21.5, ok: true }, { temp: 22 }]);
    expect(got[0]).toMatchObject({ offset: 0, format: 'json' });
    expect(got[1]!.offset).toBe('{"temp":21.5,"ok":true}\nplain text\n'.length);
  });
});

describe('MQTT bridge: input', () => {
  it('writes an InputRequest to the right board and answers with its transaction', async () => {
    const sub = await subscriber();
    const { a, b } = await node(sub, 'n3');
    const response = topics.inputResponse('n3', 'b');
    let writtenToA = 0;
    a.board.onData((chunk) => (writtenToA += chunk.byteLength));

    await sub.publish(topics.input('n3', 'b'), JSON.stringify({ transaction: 't1', from: 'tester', text: 'hello\n' }));
    expect(await b.board.readUntil('hello\n')).toBe('hello\n');
    await sub.waitFor('the answer to t1', () => sub.all<InputResponse>(response).some((r) => r.transaction === 't1'));
    expect(sub.all<InputResponse>(response).find((r) => r.transaction === 't1')).toEqual({ transaction: 't1', ok: true, written: 6 });

    await sub.publish(topics.input('n3', 'b'), JSON.stringify({ transaction: 't2', base64: Buffer.from([0, 1, 255]).toString('base64') }));
    expect([...(await b.board.readBytes(3))]).toEqual([0, 1, 255]);
    expect(writtenToA).toBe(0);
  });

  it('answers malformed and unauthorized requests with a clear refusal, correlated when it can be', async () => {
    const sub = await subscriber();
    const { b } = await node(sub, 'n4');
    const response = topics.inputResponse('n4', 'b');
    const ask = async (payload: string, count: number) => {
      await sub.publish(topics.input('n4', 'b'), payload);
      await sub.waitFor(`answer ${count}`, () => sub.all(response).length >= count);
      return sub.all<InputResponse>(response)[count - 1]!;
    };
    expect(await ask('not json', 1)).toEqual({ ok: false, code: 'bad-request', message: 'request is not JSON' });
    expect(await ask(JSON.stringify({ transaction: 'x2', text: 'a', base64: 'YQ==' }), 2)).toMatchObject({
      transaction: 'x2',
      ok: false,
      code: 'bad-request',
      message: expect.stringContaining('exactly one of command, text, base64'),
    });
    expect(await ask(JSON.stringify({ transaction: 'x3', base64: 'not base64!' }), 3)).toMatchObject({ transaction: 'x3', code: 'bad-request' });
    expect(await ask(JSON.stringify({ transaction: 'x4', command: { type: 'set-baud', baudRate: 0 } }), 4)).toMatchObject({
      transaction: 'x4',
      code: 'bad-request',
      message: expect.stringContaining('set-baud'),
    });
    // The default input role is operator: typing yes, changing the baud no.
    expect(await ask(JSON.stringify({ transaction: 'x5', command: { type: 'set-baud', baudRate: 9600 } }), 5)).toMatchObject({
      transaction: 'x5',
      ok: false,
      code: 'forbidden',
    });
    // A port this node does not serve is answered too.
    await sub.publish(topics.input('n4', 'nope'), JSON.stringify({ transaction: 'x6', text: 'a' }));
    await sub.waitFor('answer for nope', () => sub.all(topics.inputResponse('n4', 'nope')).length === 1);
    expect(sub.last(topics.inputResponse('n4', 'nope'))).toMatchObject({ transaction: 'x6', ok: false, code: 'bad-request' });
    expect(b.board.discard()).toBe(0);
  });

  it('requires the node token in the request when the node has one, and gives the configured role', async () => {
    const sub = await subscriber();
    const token = 'k3y-for-the-mqtt-test';
    const { b } = await node(sub, 'n5', { inputRole: 'admin' });
    // (n5 has no token: an admin may change the baud.)
    await sub.publish(topics.input('n5', 'b'), JSON.stringify({ transaction: 'baud', command: { type: 'set-baud', baudRate: 9600 } }));
    await sub.waitFor('baud answer', () => sub.all(topics.inputResponse('n5', 'b')).length === 1);
    expect(sub.last(topics.inputResponse('n5', 'b'))).toEqual({ transaction: 'baud', ok: true });

    const pty = await stack.pty();
    await stack.server({ token, ports: [{ id: 'c', path: pty.devicePath }], mqtt: { url: broker.url, node: 'n6' } });
    await sub.waitFor('n6 online', () => sub.last<PortStatus>(topics.portStatus('n6', 'c'))?.device.state === 'open');
    const response = topics.inputResponse('n6', 'c');
    await sub.publish(topics.input('n6', 'c'), JSON.stringify({ transaction: 'no-token', text: 'x' }));
    await sub.publish(topics.input('n6', 'c'), JSON.stringify({ transaction: 'wrong', token: 'not-the-token', text: 'x' }));
    await sub.publish(topics.input('n6', 'c'), JSON.stringify({ transaction: 'right', token, text: 'ok\n' }));
    await sub.waitFor('three answers', () => sub.all(response).length === 3);
    const answers = sub.all<InputResponse>(response);
    expect(answers.map((r) => [r.transaction, r.ok, r.ok ? null : r.code])).toEqual([
      ['no-token', false, 'forbidden'],
      ['wrong', false, 'forbidden'],
      ['right', true, null],
    ]);
    expect(await pty.board.readUntil('ok\n')).toBe('ok\n');
    expect(b.board.discard()).toBe(0);
  });

  it("gives a named token its role on the port, and records the write under the token's name and the sender's", async () => {
    const sub = await subscriber();
    const pty = await stack.pty();
    const fleetToken = 'fleet-console-token-0001';
    const server = await stack.server({
      tokens: [{ name: 'fleet', hash: hashToken(fleetToken), role: 'operator' }],
      ports: [{ id: 'd', path: pty.devicePath }],
      mqtt: { url: broker.url, node: 'n8' },
    });
    await sub.waitFor('n8 online', () => sub.last<PortStatus>(topics.portStatus('n8', 'd'))?.device.state === 'open');
    const response = topics.inputResponse('n8', 'd');
    await sub.publish(topics.input('n8', 'd'), JSON.stringify({ transaction: 'type', token: fleetToken, from: 'alice', text: 'hi\n' }));
    await sub.publish(topics.input('n8', 'd'), JSON.stringify({ transaction: 'baud', token: fleetToken, command: { type: 'set-baud', baudRate: 9600 } }));
    await sub.waitFor('two answers', () => sub.all(response).length === 2);
    // A refusal is answered at once, a write once it reached the device: the order of the answers is not the order asked.
    const answers = sub.all<InputResponse>(response).sort((a, b) => String(a.transaction).localeCompare(String(b.transaction)));
    expect(answers.map((r) => [r.transaction, r.ok, r.ok ? null : r.code])).toEqual([
      ['baud', false, 'forbidden'], // an operator token may type, not change the baud
      ['type', true, null],
    ]);
    expect(await pty.board.readUntil('hi\n')).toBe('hi\n');
    const writes = (await (await fetch(`${server.url}api/ports/d/writes`, { headers: { authorization: `Bearer ${fleetToken}` } })).json()) as WritesResponse;
    expect(writes.writes.map((w) => [w.name, w.source, w.text])).toEqual([['fleet:alice', 'mqtt:fleet:alice', 'hi']]); // the note shows the line without its ending
  });
});

describe('MQTT bridge: fetch', () => {
  it('republishes a range from the capture to the console\'s replay topic, then replayEnd', async () => {
    const sub = await subscriber();
    const { a } = await node(sub, 'n7');
    const sent = randomBytes(24 * 1024);
    await a.board.write(sent);
    await sub.waitFor('all of a', () => sub.output('n7', 'a').end >= sent.length);
    const live = sub.output('n7', 'a').frames;

    await sub.publish(topics.fetch('n7', 'a'), JSON.stringify({ consoleId: 'console-1', from: 1000, to: 20_000 }));
    const replay = topics.replay('console-1', 'n7', 'a');
    await sub.waitFor('replayEnd', () => sub.replayed(replay).some((frame) => frame.kind === OutKind.replayEnd));
    const frames = sub.replayed(replay);
    expect(frames.at(-1)).toMatchObject({ kind: OutKind.replayEnd, offset: 20_000, end: 20_000 });
    const data = frames.slice(0, -1);
    expect(data.every((frame) => frame.kind === OutKind.replay)).toBe(true);
    expect(data[0]!.offset).toBe(1000);
    data.forEach((frame, i) => i > 0 && expect(frame.offset).toBe(data[i - 1]!.end));
    expect(Buffer.concat(data.map((frame) => frame.data)).equals(sent.subarray(1000, 20_000))).toBe(true);
    // The capture's arrival times: a replayed byte carries the time of the live frame holding it (later by at most the merge window).
    const liveAt = (offset: number) => live.find((frame) => frame.offset <= offset && offset < frame.end)!;
    expect(data[0]!.timeMs - liveAt(1000).timeMs).toBeGreaterThanOrEqual(0);
    expect(data[0]!.timeMs - liveAt(1000).timeMs).toBeLessThanOrEqual(FRAME_MERGE_MS);
  });

  it('says `missing` for what the node no longer holds', async () => {
    const sub = await subscriber();
    const pty = await stack.pty();
    // No capture and the smallest memory: most of what is sent is gone by the time it is asked for.
    await stack.server({ capture: false, ports: [{ id: 'm', path: pty.devicePath, scrollback: 4096 }], mqtt: { url: broker.url, node: 'n8' } });
    await sub.waitFor('n8 open', () => sub.last<PortStatus>(topics.portStatus('n8', 'm'))?.device.state === 'open');
    const sent = randomBytes(32 * 1024);
    await pty.board.write(sent);
    await sub.waitFor('the live stream to reach the end', () => sub.output('n8', 'm').end >= sent.length);

    await sub.publish(topics.fetch('n8', 'm'), JSON.stringify({ consoleId: 'console-2', from: 0, to: sent.length }));
    const replay = topics.replay('console-2', 'n8', 'm');
    await sub.waitFor('replayEnd', () => sub.replayed(replay).some((frame) => frame.kind === OutKind.replayEnd));
    const [missing, ...rest] = sub.replayed(replay);
    expect(missing).toMatchObject({ kind: OutKind.missing, offset: 0 });
    expect(missing!.end).toBeGreaterThanOrEqual(sent.length - 4096 - 64 * 1024);
    const held = rest.filter((frame) => frame.kind === OutKind.replay);
    expect(Buffer.concat(held.map((frame) => frame.data)).equals(sent.subarray(missing!.end))).toBe(true);
    expect(rest.at(-1)).toMatchObject({ kind: OutKind.replayEnd, offset: sent.length });
  });
});

describe('MQTT bridge: over WebSockets', () => {
  it('bridges through a ws:// URL as through mqtt://', async () => {
    const wsBroker = await startMosquitto({ websockets: true });
    stack.defer(() => wsBroker.close());
    const sub = await subscribe(wsBroker.url, ROOT);
    stack.defer(() => sub.close());
    const pty = await stack.pty();
    await stack.server({ ports: [{ id: 'w', path: pty.devicePath }], mqtt: { url: wsBroker.wsUrl!, node: 'n9' } });
    await sub.waitFor('n9 open', () => sub.last<PortStatus>(topics.portStatus('n9', 'w'))?.device.state === 'open');
    const sent = randomBytes(20 * 1024);
    await pty.board.write(sent);
    await sub.waitFor('every byte', () => sub.output('n9', 'w').end >= sent.length);
    expect(sub.output('n9', 'w').bytes().equals(sent)).toBe(true);
  });
});

describe('MQTT bridge: watch mode', () => {
  it('bridges a port that appears after the start, and lists it in the node status', async () => {
    const sub = await subscriber();
    const watchDir = await stack.tempDir('serialdeck-watch-');
    await stack.server({ ports: [], watch: true, mqtt: { url: broker.url, node: 'n10' } }, { watchDir });
    await sub.waitFor('n10 online with no port', () => sub.last<NodeStatus>(topics.nodeStatus('n10'))?.online === true);
    expect(sub.last<NodeStatus>(topics.nodeStatus('n10'))!.ports).toEqual([]);

    const pty = await stack.pty();
    await symlink(pty.devicePath, join(watchDir, 'usb-Acme_Widget_42-if00'));
    const id = 'acme-widget-42';
    await sub.waitFor('the watched port, open', () => sub.last<PortStatus>(topics.portStatus('n10', id))?.device.state === 'open');
    expect(sub.last<NodeStatus>(topics.nodeStatus('n10'))).toMatchObject({ online: true, ports: [id] });
    const sent = randomBytes(8 * 1024);
    await pty.board.write(sent);
    await sub.waitFor('every byte', () => sub.output('n10', id).end >= sent.length);
    expect(sub.output('n10', id).bytes().equals(sent)).toBe(true);
  });
});
