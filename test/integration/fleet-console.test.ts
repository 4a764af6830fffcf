// The fleet console against a real Mosquitto and simulated nodes speaking the MQTT contract: every
// port listed and byte-exact at the console's WebSocket (gaps filled by fetches, what a node no
// longer holds reported), typing reaching the right port with who typed, offline on the Last Will,
// a broker restart mid-stream, and a console restart that resumes from its own capture.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortSummary } from '../../server/wire/api.js';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';
import { startSimNode, type SimNode } from '../helpers/fleet-sim-node.js';
import { startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import type { TestServer } from '../helpers/test-server.js';

const stack = cleanupAfterEach();
let broker: TestBroker;

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.close();
});

async function node(name: string, ports: string[]): Promise<SimNode> {
  const sim = await startSimNode(broker.url, name, ports);
  stack.defer(() => sim.close());
  return sim;
}

/** A fleet console with no local port, connected and subscribed. */
async function fleetConsole(options: { dataDir?: string } = {}): Promise<TestServer> {
  const server = await stack.server({ ports: [], fleet: { url: broker.url }, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  await server.fleet!.whenConnected();
  return server;
}

async function ports(server: TestServer): Promise<PortSummary[]> {
  const response = await fetch(`${server.url}api/ports`);
  return (await response.json()) as PortSummary[];
}

/** Waits (polling the API, which has no push for this) until `check` holds for the port list. */
async function untilPorts(server: TestServer, check: (list: PortSummary[]) => boolean, what: string): Promise<PortSummary[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const list = await ports(server);
    if (check(list)) return list;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(list.map((p) => [p.id, p.online, p.device.state]))}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // polling interval of a test-only wait: the API has no change event
  }
}

function randomText(bytes: number, seed: number): string {
  let out = '';
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += String.fromCharCode(32 + (x % 95));
  }
  return out;
}

describe('fleet console (real Mosquitto, simulated nodes)', () => {
  it('lists every port of every node, grouped by node and online, and delivers each byte-exact, filling dropped frames', async () => {
    const a = await node('lab-a', ['uno', 'esp']);
    const b = await node('lab-b', ['uno']);
    const server = await fleetConsole();
    const list = await untilPorts(server, (l) => l.length === 3 && l.every((p) => p.online === true), 'three online ports');
    expect(list.map((p) => [p.id, p.node, p.name]).sort()).toEqual([
      ['lab-a.esp', 'lab-a', 'ESP'],
      ['lab-a.uno', 'lab-a', 'UNO'],
      ['lab-b.uno', 'lab-b', 'UNO'],
    ]);
    const clients = await Promise.all(['lab-a.uno', 'lab-a.esp', 'lab-b.uno'].map((id) => stack.client(server.url, `ws/${id}`)));
    const expected = ['', '', ''];
    const targets: Array<[SimNode, string, number]> = [
      [a, 'uno', 0],
      [a, 'esp', 1],
      [b, 'uno', 2],
    ];
    for (let round = 0; round < 30; round++) {
      for (const [sim, port, i] of targets) {
        const chunk = randomText(50 + round * 7, round * 3 + i);
        expected[i] += chunk;
        // Every seventh frame is dropped: only the console's fetch brings it.
        await sim.write(port, chunk, { drop: round % 7 === 3 });
      }
    }
    await Promise.all(clients.map((client, i) => client.until(() => client.text().length >= expected[i]!.length, `port ${i} complete`)));
    clients.forEach((client, i) => expect(client.text()).toBe(expected[i]));
    // The console's own capture serves downloads and Server-Sent Events of a remote port like a local one's.
    const download = await fetch(`${server.url}api/ports/lab-a.esp/download?format=raw`);
    expect(await download.text()).toBe(expected[1]);
    const events = await fetch(`${server.url}api/ports/lab-b.uno/events?types=status`, { signal: AbortSignal.timeout(5_000) });
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(first).toMatch(/event: status\ndata: \{"state":"open","path":"\/dev\/sim-uno"/);
  });

  it('refuses to start with a TLS file it cannot read, naming the field and the file', async () => {
    await expect(stack.server({ ports: [], fleet: { url: broker.url, ca: '/nonexistent/ca.pem' } })).rejects.toThrow(
      'fleet.ca: cannot read /nonexistent/ca.pem: no such file',
    );
  });

  it('reports what the node no longer holds as a skip, then goes on byte-exact', async () => {
    const sim = await node('old', ['p']);
    await sim.write('p', 'forgotten-');
    sim.ports.get('p')!.captureStart = 10; // the node's capture dropped the first 10 bytes
    await sim.publishStatus('p');
    await sim.write('p', 'kept'); // after the retained status: the console learns of it with the next frame
    const server = await fleetConsole();
    await untilPorts(server, (l) => l.some((p) => p.id === 'old.p' && p.stream.end === 10), 'old.p at 10');
    await sim.write('p', ' more');
    const client = await stack.client(server.url, 'ws/old.p', 'offset=0');
    await client.untilText('more');
    expect(client.text()).toBe('kept more');
    expect(client.messages).toContainEqual({ type: 'skipped', bytes: 10, offset: 10, reason: 'not-buffered' });
  });

  it('sends typing and commands to the right node and port with who sent them, and answers by transaction', async () => {
    const a = await node('typ-a', ['x', 'y']);
    const b = await node('typ-b', ['x']);
    const server = await fleetConsole();
    await untilPorts(server, (l) => l.filter((p) => p.online).length === 3, 'three online');
    const client = await stack.client(server.url, 'ws/typ-a.y');
    client.sendBytes('hello y\n');
    client.send({ type: 'set-baud', baudRate: 9600, id: 5 });
    const result = await client.message('result');
    expect(result).toMatchObject({ id: 5, ok: true });
    const inputs = a.ports.get('y')!.inputs;
    expect(inputs.map((r) => r.base64 ?? r.command)).toEqual([Buffer.from('hello y\n').toString('base64'), { type: 'set-baud', baudRate: 9600 }]);
    expect(inputs[1]!.transaction).toMatch(new RegExp(`^${server.fleet!.consoleId}-\\d+$`));
    expect(inputs[1]!.from).toMatch(/^anonymous:admin:ws:\d+@127\.0\.0\.1$/);
    expect(a.ports.get('x')!.inputs).toEqual([]);
    expect(b.ports.get('x')!.inputs).toEqual([]);
  });

  it('shows a node that dies offline (its Last Will), refuses typing to it, and resumes byte-exact when it is back', async () => {
    const sim = await node('mortal', ['p']);
    const server = await fleetConsole();
    await untilPorts(server, (l) => l.some((p) => p.id === 'mortal.p' && p.online), 'online');
    const client = await stack.client(server.url, 'ws/mortal.p');
    await sim.write('p', 'before ');
    await client.untilText('before ');
    sim.crash();
    const list = await untilPorts(server, (l) => l.some((p) => p.id === 'mortal.p' && p.online === false), 'offline');
    expect(list.find((p) => p.id === 'mortal.p')!.device).toMatchObject({ state: 'waiting', message: 'node mortal is offline' });
    await client.until(() => client.messages.some((m) => m.type === 'status' && m.device.state === 'waiting'), 'offline status');
    client.send({ type: 'set-baud', baudRate: 9600, id: 9 });
    expect(await client.message('result')).toMatchObject({ id: 9, ok: false, code: 'not-open', message: 'not sent: node mortal is offline' });

    // Back, with output written while it was away: fetched from its retained status's end.
    const again = await node('mortal', ['p']);
    again.ports.get('p')!.stream = Buffer.from('before while-away ');
    await again.publishStatus('p');
    await untilPorts(server, (l) => l.some((p) => p.id === 'mortal.p' && p.online), 'online again');
    await again.write('p', 'after');
    await client.untilText('after');
    expect(client.text()).toBe('before while-away after');
  });

  it('appends a node stream that starts again at 0 (a node without a capture restarted) after what the console holds', async () => {
    const first = await node('amnesiac', ['p']);
    const server = await fleetConsole();
    await untilPorts(server, (l) => l.some((p) => p.id === 'amnesiac.p' && p.online), 'online');
    const client = await stack.client(server.url, 'ws/amnesiac.p');
    await first.write('p', 'first life; ');
    await client.untilText('first life; ');
    first.crash();
    await untilPorts(server, (l) => l.some((p) => p.id === 'amnesiac.p' && p.online === false), 'offline');
    const second = await startSimNode(broker.url, 'amnesiac', []);
    stack.defer(() => second.close());
    second.ports.set('p', { id: 'p', streamId: 'a-new-stream', stream: Buffer.from('second '), captureStart: 0, seq: 0, inputs: [] });
    await second.publishStatus('p');
    await second.client.publishAsync('serialdeck/amnesiac/status', JSON.stringify({ online: true, node: 'amnesiac', ports: ['p'] }), { qos: 1, retain: true });
    await second.write('p', 'life');
    await client.untilText('second life');
    expect(client.text()).toBe('first life; second life');
    const [summary] = (await ports(server)).filter((p) => p.id === 'amnesiac.p');
    expect(summary!.stream.end).toBe('first life; second life'.length);
  });

  it('survives a broker restart mid-stream: reconnects, shows the right state, loses and doubles nothing', async () => {
    const sim = await node('steady', ['p']);
    const server = await fleetConsole();
    await untilPorts(server, (l) => l.some((p) => p.id === 'steady.p' && p.online), 'online');
    const client = await stack.client(server.url, 'ws/steady.p');
    let expected = '';
    for (let i = 0; i < 20; i++) {
      const chunk = `${i}:${randomText(40, i)}\n`;
      expected += chunk;
      await sim.write('p', chunk);
    }
    await client.untilText(expected.slice(-20));
    await broker.restart();
    // The console lost the broker: its ports show offline until the nodes' statuses come again.
    await untilPorts(server, (l) => l.some((p) => p.id === 'steady.p' && p.online === false), 'offline during the outage');
    // Written while the broker is back but before anyone resubscribed, or queued by the node meanwhile.
    for (let i = 20; i < 40; i++) {
      const chunk = `${i}:${randomText(40, i)}\n`;
      expected += chunk;
      void sim.write('p', chunk).catch(() => undefined);
    }
    await server.fleet!.whenConnected();
    await untilPorts(server, (l) => l.some((p) => p.id === 'steady.p' && p.online), 'online after the restart');
    await sim.write('p', 'end\n');
    expected += 'end\n';
    await client.until(() => client.text().length >= expected.length, 'everything');
    expect(client.text()).toBe(expected);
  });

  it('resumes from its own capture after a restart of the console: nothing lost while it was down, nothing twice', async () => {
    const sim = await node('keeper', ['p']);
    const dataDir = await stack.tempDir('serialdeck-fleet-');
    const first = await fleetConsole({ dataDir });
    await untilPorts(first, (l) => l.some((p) => p.id === 'keeper.p' && p.online), 'online');
    await sim.write('p', 'one ');
    await untilPorts(first, (l) => l.some((p) => p.id === 'keeper.p' && p.stream.end === 4), 'first bytes');
    await first.close();
    await sim.write('p', 'two ');
    await sim.publishStatus('p');
    const second = await fleetConsole({ dataDir });
    await untilPorts(second, (l) => l.some((p) => p.id === 'keeper.p' && p.stream.end === 8), 'caught up');
    await sim.write('p', 'three');
    const client = await stack.client(second.url, 'ws/keeper.p', 'offset=0');
    await client.untilText('three');
    expect(client.text()).toBe('one two three');
  });
});
