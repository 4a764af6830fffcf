// Issue 13's fleet setup for real: three serialdeck nodes with two socat ptys each, bridged to a real
// Mosquitto, and one fleet console. Every port is byte-exact at the console's WebSocket, typing
// reaches the right board, a broker restart mid-stream loses and doubles nothing, and a node killed
// with SIGKILL shows offline, then resumes byte-exact when it is started again.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortSummary } from '../../server/wire/api.js';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';
import { startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import type { PtyPair } from '../helpers/pty-pair.js';
import { startServerProcess } from '../helpers/server-process.js';
import type { TestServer } from '../helpers/test-server.js';
import type { TestClient } from '../helpers/ws-client.js';

const stack = cleanupAfterEach();
let broker: TestBroker;

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.close();
});

interface TestNode {
  name: string;
  ptys: Record<'a' | 'b', PtyPair>;
  server: TestServer;
}

/** A node `name` serving two ptys (ports a and b), bridged to the broker. */
async function startNode(name: string): Promise<TestNode> {
  const ptys = { a: await stack.pty(), b: await stack.pty() };
  const server = await stack.server({
    ports: [
      { id: 'a', path: ptys.a.devicePath },
      { id: 'b', path: ptys.b.devicePath },
    ],
    mqtt: { url: broker.url, node: name },
  });
  return { name, ptys, server };
}

async function startFleetConsole(): Promise<TestServer> {
  const server = await stack.server({ ports: [], fleet: { url: broker.url } });
  await server.fleet!.whenConnected();
  return server;
}

async function ports(server: TestServer): Promise<PortSummary[]> {
  return (await (await fetch(`${server.url}api/ports`)).json()) as PortSummary[];
}

/** Waits (polling the API, which has no push for this) until `check` holds for the console's port list. */
async function untilPorts(server: TestServer, check: (list: PortSummary[]) => boolean, what: string, timeoutMs = 15_000): Promise<PortSummary[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await ports(server);
    if (check(list)) return list;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(list.map((p) => [p.id, p.online, p.device.state, p.stream.end]))}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // polling interval of a test-only wait: the API has no change event
  }
}

const openPort = (list: PortSummary[], id: string) => list.some((p) => p.id === id && p.online === true && p.device.state === 'open');

/** Printable bytes, so a failing comparison reads well; random, so a misplaced chunk cannot pass. */
function chunkOf(bytes: number): Buffer {
  return Buffer.from(randomBytes(bytes).toString('base64').slice(0, bytes));
}

describe('fleet console with three real nodes (two ptys each) on a real Mosquitto', () => {
  it('shows all six ports byte-exact, sends typing to the right board, and survives a broker restart mid-stream', async () => {
    const nodes = [await startNode('n1'), await startNode('n2'), await startNode('n3')];
    const fleet = await startFleetConsole();
    const ids = nodes.flatMap((node) => [`${node.name}.a`, `${node.name}.b`]);
    await untilPorts(fleet, (list) => ids.every((id) => openPort(list, id)), 'six open ports');

    const clients = new Map<string, TestClient>();
    for (const id of ids) clients.set(id, await stack.client(fleet.url, `ws/${id}`));
    const expected = new Map<string, Buffer>(ids.map((id) => [id, Buffer.alloc(0)]));
    const write = async (round: number) => {
      await Promise.all(
        nodes.flatMap((node) =>
          (['a', 'b'] as const).map(async (port) => {
            const chunk = chunkOf(200 + ((round * 37) % 500));
            const id = `${node.name}.${port}`;
            expected.set(id, Buffer.concat([expected.get(id)!, chunk]));
            await node.ptys[port].board.write(chunk);
          }),
        ),
      );
    };
    const allArrived = () =>
      Promise.all(ids.map((id) => clients.get(id)!.until(() => clients.get(id)!.bytes().byteLength >= expected.get(id)!.byteLength, `${id} complete`, 20_000)));

    for (let round = 0; round < 10; round++) await write(round);
    await allArrived();

    // Typing at the console reaches that board only.
    clients.get('n2.b')!.sendBytes('hello n2.b\r\n');
    expect(Buffer.from(await nodes[1]!.ptys.b.board.readBytes(12)).toString()).toBe('hello n2.b\r\n');
    for (const node of nodes) for (const port of ['a', 'b'] as const) if (!(node.name === 'n2' && port === 'b')) expect(node.ptys[port].board.discard()).toBe(0);

    // The broker goes away mid-stream and comes back: nodes and console reconnect, nothing is lost or doubled.
    await write(10);
    await broker.stop();
    await write(11);
    await untilPorts(fleet, (list) => ids.every((id) => list.some((p) => p.id === id && p.online === false)), 'offline while the broker is down');
    await broker.start();
    await write(12);
    await untilPorts(fleet, (list) => ids.every((id) => openPort(list, id)), 'six open ports again', 30_000);
    await write(13);
    await allArrived();
    for (const id of ids) expect(clients.get(id)!.bytes().equals(expected.get(id)!), `${id} byte-exact`).toBe(true);
  });

  it('loses and doubles nothing when the console itself is killed with SIGKILL and started again on its data directory', async () => {
    const node = await startNode('steady');
    const dataDir = await stack.tempDir('serialdeck-console-');
    const args = ['--fleet', broker.url, '--data-dir', dataDir];
    let consoleProcess = await startServerProcess(args);
    stack.defer(() => consoleProcess.kill('SIGKILL'));
    const api = (url: string) => ({ url }) as TestServer;
    await untilPorts(api(consoleProcess.url), (l) => openPort(l, 'steady.a'), 'steady.a open');
    let expected = '';
    for (let i = 0; i < 20; i++) {
      const line = `${i} ${chunkOf(60).toString()}\n`;
      expected += line;
      await node.ptys.a.board.write(line);
    }
    await untilPorts(api(consoleProcess.url), (l) => l.some((p) => p.id === 'steady.a' && p.stream.end === expected.length), 'all at the console');
    await consoleProcess.kill('SIGKILL'); // whatever it had not flushed to its capture is fetched again
    for (let i = 20; i < 30; i++) {
      const line = `${i} ${chunkOf(60).toString()}\n`;
      expected += line;
      await node.ptys.a.board.write(line);
    }
    consoleProcess = await startServerProcess(args);
    await untilPorts(api(consoleProcess.url), (l) => openPort(l, 'steady.a'), 'steady.a open again');
    await node.ptys.a.board.write('last\n');
    expected += 'last\n';
    const client = await stack.client(consoleProcess.url, 'ws/steady.a', 'offset=0');
    await client.until(() => client.text().length >= expected.length, 'everything', 20_000);
    expect(client.text()).toBe(expected);
    expect(client.messages.filter((m) => m.type === 'skipped')).toEqual([]);
  });

  it('shows a node killed with SIGKILL offline within its keepalive, and resumes byte-exact when it starts again', async () => {
    const pty = await stack.pty();
    const dataDir = await stack.tempDir('serialdeck-node-');
    const args = [pty.devicePath, '--data-dir', dataDir, '--mqtt', broker.url, '--node', 'killed'];
    let node = await startServerProcess(args);
    stack.defer(() => node.kill('SIGKILL'));
    const fleet = await startFleetConsole();
    const list = await untilPorts(fleet, (l) => l.some((p) => p.node === 'killed' && p.online && p.device.state === 'open'), 'the node online');
    const id = list.find((p) => p.node === 'killed')!.id;
    const client = await stack.client(fleet.url, `ws/${id}`);
    await pty.board.write('before the kill\n');
    await client.untilText('before the kill\n');

    await node.kill('SIGKILL');
    const offline = await untilPorts(fleet, (l) => l.some((p) => p.id === id && p.online === false), 'offline after the kill', 45_000);
    expect(offline.find((p) => p.id === id)!.device).toMatchObject({ state: 'waiting', message: 'node killed is offline' });

    node = await startServerProcess(args);
    await untilPorts(fleet, (l) => l.some((p) => p.id === id && p.online && p.device.state === 'open'), 'online again', 30_000);
    await pty.board.write('after\n');
    await client.untilText('after\n', 20_000);
    expect(client.text()).toBe('before the kill\nafter\n');
  });
});

describe('fleet console on a broker requiring a username and password over TLS', () => {
  it('joins with its credentials and the CA, shows the node port byte-exact and types to it; a wrong password shows nothing', async () => {
    const secure = await startMosquitto({ secure: true });
    stack.defer(() => secure.close());
    const { username, password, caFile } = secure.credentials!;
    const pty = await stack.pty();
    await stack.server({ ports: [{ id: 'a', path: pty.devicePath }], mqtt: { url: secure.url, node: 'tls-node', username, password, ca: caFile } });
    const fleet = await stack.server({ ports: [], fleet: { url: secure.url, username, password, ca: caFile } });
    await fleet.fleet!.whenConnected();
    await untilPorts(fleet, (l) => openPort(l, 'tls-node.a'), 'the node port over TLS');
    const client = await stack.client(fleet.url, 'ws/tls-node.a');
    const sent = chunkOf(3000);
    await pty.board.write(sent);
    await client.until(() => client.bytes().byteLength >= sent.byteLength, 'all bytes');
    expect(client.bytes().equals(sent)).toBe(true);
    client.sendBytes('typed over TLS\n');
    expect(Buffer.from(await pty.board.readBytes(15)).toString()).toBe('typed over TLS\n');

    const refused = await stack.server({ ports: [], fleet: { url: secure.url, username, password: 'wrong', ca: caFile } });
    expect((await refused.fleet!.nextError()).message).toMatch(/not authorized/i);
    expect(refused.fleet!.connected).toBe(false);
    expect(await ports(refused)).toEqual([]);
  });
});
