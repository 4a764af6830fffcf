// Several ports in one server, on real ptys: three ports at once (two ptys and the demo board),
// each byte-exact and isolated, one unplugged without disturbing the others, unknown ids refused;
// a by-id-style symlink that moves to another pty keeps its port and its stream; and watch mode,
// which serves a device link as it appears and keeps listing it once its device is gone.
import { rename, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { deviceState, getPort, listPorts, messagesOf, pollUntil, request, untilState } from '../helpers/ports-api.js';
import { type TestClient } from '../helpers/ws-client.js';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';

const stack = cleanupAfterEach();
const pty = stack.pty;
const server = stack.server;
const client = stack.client;
const tempDir = stack.tempDir;

/** Points `link` at `target`, replacing it atomically (as udev does), so the path never dangles half-made. */
async function pointLink(link: string, target: string): Promise<void> {
  const fresh = `${link}.new`;
  await symlink(target, fresh);
  await rename(fresh, link);
}
/** The HTTP status a WebSocket upgrade to `path` is refused with (rejects if it is accepted). */
function upgradeRefusal(baseUrl: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      ws.close();
      reject(new Error(`the upgrade to ${path} was accepted`));
    });
    ws.on('error', () => {}); // the refusal shows as 'unexpected-response'
  });
}

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('three ports in one server (two ptys and the demo board)', () => {
  it('lists them, keeps each byte-exact and isolated, routes /ws to the first, and refuses unknown ids', async () => {
    const a = await pty();
    const b = await pty();
    const srv = await server({ ports: [{ path: a.devicePath, name: 'a' }, { path: b.devicePath, name: 'b' }, 'demo'] });

    const ports = await pollUntil(
      () => listPorts(srv.url),
      (list) => list.length === 3 && list.every((p) => p.device.state === 'open'),
      'three open ports',
    );
    expect(ports.map((p) => p.id)).toEqual(['a', 'b', 'demo']);
    expect(ports.map((p) => p.wsPath)).toEqual(['/ws/a', '/ws/b', '/ws/demo']);
    expect(ports.map((p) => p.device.path)).toEqual([a.devicePath, b.devicePath, 'demo']);
    expect(new Set(ports.map((p) => p.stream.id)).size).toBe(3); // each port its own stream

    const onA = await client(srv.url, 'ws/a');
    const onB = await client(srv.url, 'ws/b');
    const onDemo = await client(srv.url, 'ws/demo');
    const legacy = await client(srv.url, 'ws');
    for (const c of [onA, onB, onDemo, legacy]) await untilState(c, 'open');
    expect((await legacy.message('hello')).port).toBe('a');
    expect((await onB.message('hello')).port).toBe('b');
    expect((await onDemo.message('hello')).port).toBe('demo');
    // Each client got the port list as it stands right after its hello, with nothing changing since:
    // a page that fetched the list a moment earlier (a port still opening) is brought up to date.
    const late = await client(srv.url, 'ws/b');
    const list = await late.message('ports');
    expect(late.messages.findIndex((m) => m.type === 'ports')).toBeGreaterThan(late.messages.findIndex((m) => m.type === 'hello'));
    expect(list.ports.map((p) => [p.id, p.device.state])).toEqual([['a', 'open'], ['b', 'open'], ['demo', 'open']]);

    // Device → clients: every byte value, each board's bytes only on its own port.
    const fromA = Buffer.concat([allBytes, Buffer.from('board A says hi\r\n')]);
    const fromB = Buffer.concat([Buffer.from('board B: '), Buffer.from(allBytes).reverse(), Buffer.from('\r\n')]);
    await Promise.all([a.board.write(fromA), b.board.write(fromB)]);
    await onA.until(() => onA.bytes().length >= fromA.length, "board A's bytes");
    await legacy.until(() => legacy.bytes().length >= fromA.length, "board A's bytes on /ws");
    await onB.until(() => onB.bytes().length >= fromB.length, "board B's bytes");
    // A marker after the fact: anything that leaked across would have arrived before it.
    await a.board.write('A-end\r\n');
    await b.board.write('B-end\r\n');
    await onA.untilText('A-end\r\n');
    await onB.untilText('B-end\r\n');
    await legacy.untilText('A-end\r\n');
    expect(onA.bytes().equals(Buffer.concat([fromA, Buffer.from('A-end\r\n')]))).toBe(true);
    expect(legacy.bytes().equals(onA.bytes())).toBe(true);
    expect(onB.bytes().equals(Buffer.concat([fromB, Buffer.from('B-end\r\n')]))).toBe(true);
    expect(onDemo.text()).not.toContain('board A');
    expect(onDemo.text()).not.toContain('board B');

    // Client → device: typed on ws/b reaches board B only; typed on ws/a reaches board A only.
    onB.sendBytes(allBytes);
    expect(Buffer.from(await b.board.readBytes(256)).equals(allBytes)).toBe(true);
    onA.sendBytes('to A only\n');
    expect(await a.board.readUntil('to A only\n')).toBe('to A only\n'); // nothing of B's came first
    expect(b.board.discard()).toBe(0);

    // The demo board answers on its own port.
    await onDemo.untilText('READY');
    onDemo.sendBytes('echo demo-zqx9\r');
    await onDemo.untilText('\ndemo-zqx9\r\n');
    expect(onA.text()).not.toContain('zqx9');
    expect(onB.text()).not.toContain('zqx9');

    // Unknown ids: refused before the upgrade, and 404 JSON from the API.
    expect(await upgradeRefusal(srv.url, 'ws/nope')).toBe(404);
    const missing = await request(srv.url, 'api/ports/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/json/);
    expect(missing.json<{ error: string }>().error).toMatch(/nope/);
  });

  it('unplugs one port without disturbing the others', async () => {
    const a = await pty();
    const b = await pty();
    const srv = await server({ ports: [{ path: a.devicePath, name: 'a' }, { path: b.devicePath, name: 'b' }, 'demo'] });
    const onA = await client(srv.url, 'ws/a');
    const onB = await client(srv.url, 'ws/b');
    const onDemo = await client(srv.url, 'ws/demo');
    for (const c of [onA, onB, onDemo]) await untilState(c, 'open');
    await onDemo.untilText('READY');

    await b.board.write('b before\r\n');
    await onB.untilText('b before\r\n');
    const seenBefore = { b: onB.messages.length, demo: onDemo.messages.length };
    await a.unplug();
    await untilState(onA, 'waiting');
    // The picker hears of it: a `ports` message to the other ports' clients shows a waiting.
    await onB.until(
      () => messagesOf(onB, 'ports').some((m) => m.ports.find((p) => p.id === 'a')?.device.state === 'waiting'),
      'a ports message with a waiting',
    );
    const listed = await listPorts(srv.url);
    expect(listed.map((p) => [p.id, p.device.state])).toEqual([
      ['a', 'waiting'],
      ['b', 'open'],
      ['demo', 'open'],
    ]);
    expect((await getPort(srv.url, 'a')).device.state).toBe('waiting');

    // b and the demo keep streaming and taking writes; their clients never saw a state change.
    await b.board.write('b after\r\n');
    await onB.untilText('b after\r\n');
    onB.sendBytes('typed on b\n');
    expect(await b.board.readUntil('typed on b\n')).toBe('typed on b\n');
    onDemo.sendBytes('echo still-here\r');
    await onDemo.untilText('\nstill-here\r\n');
    expect(onB.text()).toBe('b before\r\nb after\r\n');
    const statusesSince = (c: TestClient, from: number) => c.messages.slice(from).filter((m) => m.type === 'status');
    expect(statusesSince(onB, seenBefore.b)).toEqual([]);
    expect(statusesSince(onDemo, seenBefore.demo)).toEqual([]);
    expect(deviceState(onB)).toBe('open');

    // A write to the unplugged port is refused to its sender alone.
    onA.sendBytes('into the void\n');
    await onA.until(() => messagesOf(onA, 'error').some((m) => m.code === 'not-open'), 'a not-open error');
    // (A pty refuses DTR on open, which every client of b heard as a `device` error: that is b's own.)
    expect(messagesOf(onB, 'error').filter((m) => m.code !== 'device')).toEqual([]);
  });
});

describe('a by-id-style symlink', () => {
  it('keeps its port and its stream when it moves to another pty', async () => {
    const first = await pty();
    const second = await pty();
    const dir = await tempDir('serialdeck-byid-');
    const link = join(dir, 'usb-Fake_Board_1234-if00');
    await pointLink(link, first.devicePath);
    const srv = await server({ ports: [link] });
    const id = 'fake-board-1234';
    expect((await listPorts(srv.url)).map((p) => p.id)).toEqual([id]);

    const watcher = await client(srv.url, `ws/${id}`);
    await untilState(watcher, 'open');
    const hello = await watcher.message('hello');
    await first.board.write('from A 1\r\nfrom A 2\r\n');
    await watcher.untilText('from A 2\r\n');

    await first.unplug();
    await untilState(watcher, 'waiting');
    await pointLink(link, second.devicePath); // the board came back under another tty name
    await untilState(watcher, 'open');
    await second.board.write('from B 1\r\n');
    await watcher.untilText('from B 1\r\n');

    const expected = 'from A 1\r\nfrom A 2\r\nfrom B 1\r\n';
    expect(watcher.text()).toBe(expected); // same socket, same stream, offsets continue
    expect(messagesOf(watcher, 'hello')).toHaveLength(1);
    expect(messagesOf(watcher, 'skipped')).toEqual([]);
    const summary = await getPort(srv.url, id);
    expect(summary.stream).toEqual({ id: hello.stream, end: hello.offset + expected.length });

    // Typing reaches the new board.
    watcher.sendBytes('hello B\n');
    expect(await second.board.readUntil('hello B\n')).toBe('hello B\n');

    // A late lossless client resuming at 0 gets A's bytes, then B's.
    const late = await client(srv.url, `ws/${id}`, `offset=0&stream=${hello.stream}`);
    await late.untilText('from B 1\r\n');
    expect((await late.message('hello')).offset).toBe(0);
    expect(late.text()).toBe(expected);
  });
});

describe('watch mode', () => {
  it('serves a device link as it appears, and keeps listing it as waiting once the device is gone', async () => {
    const watchDir = await tempDir('serialdeck-watch-');
    const srv = await server({ ports: [], watch: true }, { watchDir });
    expect(await listPorts(srv.url)).toEqual([]);
    expect(await upgradeRefusal(srv.url, 'ws')).toBe(404); // no first port yet

    const board = await pty();
    const link = join(watchDir, 'usb-Acme_Widget_42-if00');
    await pointLink(link, board.devicePath);
    const id = 'acme-widget-42';
    const [port] = await pollUntil(
      () => listPorts(srv.url),
      (list) => list.length === 1 && list[0]!.device.state === 'open',
      'the watched port, open',
    );
    expect(port).toMatchObject({ id, wsPath: `/ws/${id}`, device: { path: link } });

    const viewer = await client(srv.url, `ws/${id}`);
    await untilState(viewer, 'open');
    await board.board.write('watched bytes\r\n');
    await viewer.untilText('watched bytes\r\n');
    viewer.sendBytes('and back\n');
    expect(await board.board.readUntil('and back\n')).toBe('and back\n');

    // Unplugged: udev removes the link too. The port stays listed, waiting.
    await board.unplug();
    await unlink(link);
    await untilState(viewer, 'waiting');
    const after = await pollUntil(
      () => listPorts(srv.url),
      (list) => list[0]?.device.state === 'waiting',
      'the port listed as waiting',
    );
    expect(after.map((p) => p.id)).toEqual([id]);

    // Plugged back: the same port (not a second one) reopens and carries on.
    await board.replug();
    await pointLink(link, board.devicePath);
    await untilState(viewer, 'open');
    await board.board.write('back again\r\n');
    await viewer.untilText('back again\r\n');
    expect(viewer.text()).toBe('watched bytes\r\nback again\r\n');
    expect((await listPorts(srv.url)).map((p) => p.id)).toEqual([id]);
  });
});
