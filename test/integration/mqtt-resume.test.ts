// Nothing lost or doubled across a gap (issue 13): a broker restarted mid-stream, and a node
// restarted, against a real Mosquitto that keeps sessions, with a subscriber that keeps its own
// (so what is published while it reconnects waits for it at the broker). The subscriber
// reassembles by offset: every byte the board sent is there once, and nothing is skipped.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACKED_FILE_NAME } from '../../server/mqtt/acked-offsets.js';
import type { NodeStatus, PortStatus } from '../../server/mqtt/fleet-messages.js';
import { topicsFor } from '../../server/mqtt/topics.js';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';
import { startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import type { PtyPair } from '../helpers/pty-pair.js';
import { subscribe, type TestSubscriber } from './mqtt-subscriber.js';

const stack = cleanupAfterEach();
const ROOT = 'serialdeck';
const topics = topicsFor(ROOT);
/** Session kept at the broker for the subscriber while it is away, in seconds. */
const SESSION_EXPIRY_S = 600;
let broker: TestBroker;
let sub: TestSubscriber;

beforeEach(async () => {
  broker = await startMosquitto({ persistence: true });
  stack.defer(() => broker.close());
  sub = await subscribe(broker.url, ROOT, { clientId: `resume-sub-${process.pid}`, clean: false, properties: { sessionExpiryInterval: SESSION_EXPIRY_S } });
  stack.defer(() => sub.close());
});

/** Writes `total` random bytes to the board in `chunk`-byte pieces, one after another; resolves with them. */
async function stream(pty: PtyPair, total: number, chunk: number, between?: (written: number) => Promise<void>): Promise<Buffer> {
  const sent = randomBytes(total);
  for (let at = 0; at < total; at += chunk) {
    await pty.board.write(sent.subarray(at, at + chunk));
    await between?.(at + chunk);
  }
  return sent;
}

/** Starts node `name` on `pty`; resolves once this run of it said it is online and its port open (statuses of an earlier run do not count). */
async function nodeOn(pty: PtyPair, name: string, dataDir: string, logs: string[]) {
  const seen = sub.all(topics.portStatus(name, 'p')).length;
  const server = await stack.server({ dataDir, ports: [{ id: 'p', path: pty.devicePath }], mqtt: { url: broker.url, node: name } }, { logs });
  await sub.waitFor(`${name} open`, () =>
    sub.all<PortStatus>(topics.portStatus(name, 'p')).slice(seen).some((status) => status.device.state === 'open') && sub.last<NodeStatus>(topics.nodeStatus(name))?.online === true,
  );
  return server;
}

describe('MQTT bridge: resuming', () => {
  it('loses and doubles nothing when the broker restarts mid-stream, and republishes its state', async () => {
    const pty = await stack.pty();
    const logs: string[] = [];
    await nodeOn(pty, 'r1', await stack.tempDir('serialdeck-mqtt-'), logs);
    const statuses = () => sub.all<NodeStatus>(topics.nodeStatus('r1')).length;
    const before = statuses();

    const sent = await stream(pty, 256 * 1024, 4096, async (written) => {
      // A third of the way in, with frames in flight: the broker goes away and comes back while the board keeps sending.
      if (written === 80 * 1024) await broker.restart();
    });
    await sub.waitFor('every byte', () => sub.output('r1', 'p').end >= sent.length, 30_000);
    const out = sub.output('r1', 'p');
    expect(out.gaps).toEqual([]);
    expect(out.bytes().length).toBe(sent.length);
    expect(out.bytes().equals(sent)).toBe(true);
    expect(logs.some((line) => line.includes('lost the connection'))).toBe(true);
    expect(logs.some((line) => line.includes('reconnected to'))).toBe(true);
    // The node said again that it is online, and the port's status, after reconnecting.
    await sub.waitFor('node status republished', () => statuses() > before);
    expect(sub.last<NodeStatus>(topics.nodeStatus('r1'))).toMatchObject({ online: true, ports: ['p'] });
  });

  it('resumes after a restart of the node from the offset the broker acknowledged', async () => {
    const pty = await stack.pty();
    const dataDir = await stack.tempDir('serialdeck-mqtt-');
    const first = await nodeOn(pty, 'r2', dataDir, []);
    const part1 = await stream(pty, 48 * 1024, 4096);
    await sub.waitFor('part 1', () => sub.output('r2', 'p').end >= part1.length);
    const framesBefore = sub.output('r2', 'p').frames.length;
    const lastSeq = sub.output('r2', 'p').frames.at(-1)!.seq;
    await first.close();
    // A clean close: offline said by the node itself (not its Last Will), and the acknowledged offset written.
    await sub.waitFor('offline', () => sub.last<NodeStatus>(topics.nodeStatus('r2'))?.online === false);
    expect(sub.last<NodeStatus>(topics.nodeStatus('r2'))!.timeMs).toBeTypeOf('number');
    const saved = JSON.parse(await readFile(join(dataDir, 'ports', 'p', ACKED_FILE_NAME), 'utf8')) as { offset: number; nextSeq: number };
    expect(saved).toMatchObject({ offset: part1.length, nextSeq: lastSeq + 1 });

    await nodeOn(pty, 'r2', dataDir, []);
    const part2 = await stream(pty, 24 * 1024, 4096);
    const out = sub.output('r2', 'p');
    await sub.waitFor('part 2', () => out.end >= part1.length + part2.length);
    // Where the broker's acknowledgement left off, with the sequence carried on: nothing again, nothing skipped.
    expect(out.frames[framesBefore]).toMatchObject({ offset: part1.length, seq: lastSeq + 1 });
    expect(out.repeated).toBe(0);
    expect(out.gaps).toEqual([]);
    expect(out.bytes().equals(Buffer.concat([part1, part2]))).toBe(true);
  });

  it('publishes what arrived while the broker was down once a restarted node reaches it again', async () => {
    const pty = await stack.pty();
    const dataDir = await stack.tempDir('serialdeck-mqtt-');
    const first = await nodeOn(pty, 'r3', dataDir, []);
    const part1 = await stream(pty, 16 * 1024, 4096);
    await sub.waitFor('part 1', () => sub.output('r3', 'p').end >= part1.length);
    await broker.stop();
    // The board goes on while no broker is there: the node keeps it in its capture.
    const part2 = await stream(pty, 32 * 1024, 4096);
    await waitForCapture(first, part1.length + part2.length);
    await first.close();
    await broker.start();
    await nodeOn(pty, 'r3', dataDir, []);
    const out = sub.output('r3', 'p');
    await sub.waitFor('part 2', () => out.end >= part1.length + part2.length);
    expect(out.gaps).toEqual([]);
    expect(out.bytes().equals(Buffer.concat([part1, part2]))).toBe(true);
  });
});

/** Resolves once the node's port has received `end` bytes (its channel's end), checked on each append. */
function waitForCapture(server: { registry: { get(id: string): { channel: { end: number; subscribe(l: { data(): void }): () => void } } | undefined } }, end: number): Promise<void> {
  const channel = server.registry.get('p')!.channel;
  return new Promise((resolve) => {
    if (channel.end >= end) return resolve();
    const unsubscribe = channel.subscribe({
      data: () => {
        if (channel.end < end) return;
        unsubscribe();
        resolve();
      },
    });
  });
}
