// A node as the user runs it (the CLI, in its own process) and a broker that requires a username
// and password over TLS: a node killed hard shows offline through its Last Will and resumes when it
// comes back; credentials and the broker's CA from the config reach a secure Mosquitto.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { NodeStatus, PortStatus } from '../../server/mqtt/fleet-messages.js';
import { topicsFor } from '../../server/mqtt/topics.js';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';
import { startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { subscribe, type TestSubscriber } from './mqtt-subscriber.js';

const stack = cleanupAfterEach();
const ROOT = 'serialdeck';
const topics = topicsFor(ROOT);

describe('MQTT node: Last Will', () => {
  let broker: TestBroker;
  let sub: TestSubscriber;
  beforeEach(async () => {
    broker = await startMosquitto();
    stack.defer(() => broker.close());
    sub = await subscribe(broker.url, ROOT);
    stack.defer(() => sub.close());
  });

  /** `serialdeck DEVICE --mqtt URL --node w1` in its own process; resolves once this run said it is online with its port open. */
  async function cli(device: string, dataDir: string): Promise<ServerProcess> {
    const seen = sub.all(topics.portStatus('w1', 'device')).length;
    const node = await startServerProcess([device, '--data-dir', dataDir, '--mqtt', broker.url, '--node', 'w1']);
    stack.defer(() => node.kill('SIGKILL'));
    await sub.waitFor('w1 online, its port open', () =>
      sub.all<PortStatus>(topics.portStatus('w1', 'device')).slice(seen).some((status) => status.device.state === 'open') && sub.last<NodeStatus>(topics.nodeStatus('w1'))?.online === true,
    );
    return node;
  }

  it('shows a node killed hard as offline, and it resumes its output when it comes back', async () => {
    const pty = await stack.pty();
    const dataDir = await stack.tempDir('serialdeck-mqtt-');
    // The port's id from its path: the pty link is named `device`.
    const first = await cli(pty.devicePath, dataDir);
    expect(sub.last<NodeStatus>(topics.nodeStatus('w1'))).toMatchObject({ online: true, node: 'w1', ports: ['device'] });
    const part1 = randomBytes(20 * 1024);
    await pty.board.write(part1);
    await sub.waitFor('part 1', () => sub.output('w1', 'device').end >= part1.length);

    expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    // The broker publishes the Last Will: exactly what the node set, retained.
    await sub.waitFor('the Last Will', () => sub.last<NodeStatus>(topics.nodeStatus('w1'))?.online === false);
    expect(sub.last(topics.nodeStatus('w1'))).toEqual({ online: false, node: 'w1' });
    const late = await subscribe(broker.url, ROOT);
    stack.defer(() => late.close());
    await late.waitFor('the retained Last Will', () => late.last(topics.nodeStatus('w1')) !== undefined);
    expect(late.last(topics.nodeStatus('w1'))).toEqual({ online: false, node: 'w1' });

    await cli(pty.devicePath, dataDir);
    const part2 = randomBytes(12 * 1024);
    await pty.board.write(part2);
    const out = sub.output('w1', 'device');
    await sub.waitFor('part 2', () => out.bytes().length >= part1.length + part2.length);
    // Every byte once. A kill can leave offsets that never held bytes (the capture's reservation): those may show as a gap, no byte is lost.
    expect(out.bytes().equals(Buffer.concat([part1, part2]))).toBe(true);
    expect(out.gaps.every((gap) => gap.from >= part1.length)).toBe(true);
  });
});

describe('MQTT node: a broker requiring a username and password over TLS', () => {
  let broker: TestBroker;
  beforeEach(async () => {
    broker = await startMosquitto({ secure: true });
    stack.defer(() => broker.close());
  });

  it('connects with the credentials and CA from its config, and publishes exactly', async () => {
    const { username, password, ca, caFile } = broker.credentials!;
    const sub = await subscribe(broker.url, ROOT, { username, password, ca });
    stack.defer(() => sub.close());
    const pty = await stack.pty();
    const logs: string[] = [];
    await stack.server({ ports: [{ id: 'p', path: pty.devicePath }], mqtt: { url: broker.url, node: 's1', username, password, ca: caFile } }, { logs });
    await sub.waitFor('s1 open', () => sub.last<PortStatus>(topics.portStatus('s1', 'p'))?.device.state === 'open');
    const sent = randomBytes(32 * 1024);
    await pty.board.write(sent);
    await sub.waitFor('every byte', () => sub.output('s1', 'p').end >= sent.length);
    expect(sub.output('s1', 'p').bytes().equals(sent)).toBe(true);
    expect(logs.some((line) => line.includes('connected to mqtts://127.0.0.1'))).toBe(true);
    expect(logs.join('\n')).not.toContain(password);
  });

  it('keeps serving its ports when the broker refuses it, and says why once', async () => {
    const { username, caFile } = broker.credentials!;
    const pty = await stack.pty();
    const { logs, log, when } = watchLog((line) => line.includes('Not authorized'));
    const server = await stack.server({ ports: [{ id: 'p', path: pty.devicePath }], mqtt: { url: broker.url, node: 's2', username, password: 'wrong-password', ca: caFile } }, { log });
    await when;
    // mqtt.js tries again every couple of seconds: a second refusal at the broker, still one line in the log.
    await broker.waitForLog(/not authori[sz]ed/i, 2);
    expect(server.registry.get('p')?.device.state).not.toBe('closed');
    expect(logs.filter((line) => line.includes('Not authorized'))).toHaveLength(1);
    expect(logs.join('\n')).not.toContain('wrong-password');
  });

  it('refuses a broker whose certificate it cannot verify, and a CA file it cannot read stops the start', async () => {
    const { username, password } = broker.credentials!;
    const pty = await stack.pty();
    const { logs, log, when } = watchLog((line) => /certificate/i.test(line));
    await stack.server({ ports: [{ id: 'p', path: pty.devicePath }], mqtt: { url: broker.url, node: 's3', username, password } }, { log });
    await when;
    expect(logs.find((line) => /certificate/i.test(line))).toMatch(/mqtt: mqtts:\/\/127\.0\.0\.1:\d+: .*certificate/);

    const missing = join(await stack.tempDir('serialdeck-mqtt-'), 'no-such-ca.pem');
    await expect(stack.server({ ports: [{ id: 'q', path: (await stack.pty()).devicePath }], mqtt: { url: broker.url, node: 's4', ca: missing } })).rejects.toThrow(
      `mqtt.ca: cannot read ${missing}: no such file`,
    );
  });
});

/** A log sink for a server, and a promise that resolves at the first line `matches` accepts. */
function watchLog(matches: (line: string) => boolean): { logs: string[]; log: (line: string) => void; when: Promise<void> } {
  const logs: string[] = [];
  let resolve!: () => void;
  const when = new Promise<void>((done) => (resolve = done));
  return {
    logs,
    log: (line) => {
      logs.push(line);
      if (matches(line)) resolve();
    },
    when,
  };
}
