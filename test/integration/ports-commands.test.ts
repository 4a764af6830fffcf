// The one command path, through the whole server on a real pty: an HTTP write answers once its
// bytes reached the device, with how many; refusals carry a code and the right HTTP status
// (409 while unplugged, 400 with the limit for an out-of-range baud); over the WebSocket a
// refusal or result goes only to the client that sent the command, a command with an id gets
// exactly one result; and every write is recorded in the capture with who sent it.
import { afterEach, describe, expect, it } from 'vitest';
import { createPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { getPort, messagesOf, request, untilState } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { connect, type TestClient } from '../helpers/ws-client.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

let board: PtyPair;
let srv: TestServer;
async function setup(): Promise<void> {
  board = await createPtyPair();
  cleanups.push(() => board.close());
  srv = await startTestServer({ ports: [{ path: board.devicePath, name: 'c' }] });
  cleanups.push(() => srv.close());
}
async function client(): Promise<TestClient> {
  const c = await connect(srv.url, { path: 'ws/c' });
  cleanups.push(() => c.close());
  await untilState(c, 'open');
  return c;
}
const post = (path: string, body: string | Uint8Array) =>
  request(srv.url, path, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body) });

/** Most bytes that can sit between the server's write and the board's read (pty queues and socat's buffer), in bytes: generous. */
const IN_FLIGHT_BYTES = 256 * 1024;

describe('the command path', () => {
  it('answers an HTTP write once the bytes reached the device, and refuses one while unplugged with 409 not-open', async () => {
    await setup();
    const watcher = await client();
    let boardGot = 0;
    board.board.onData((chunk) => (boardGot += chunk.byteLength));

    const small = await post('api/ports/c/write', 'status\n');
    expect(small.status).toBe(200);
    expect(small.json()).toEqual({ ok: true, written: 7 });
    expect(await board.board.readUntil('status\n')).toBe('status\n');

    // A body far larger than the pty's queues: the answer can only come once the device took it all.
    const body = Buffer.alloc(1024 * 1024 - 1, 'w');
    const big = await post('api/ports/c/write', body);
    expect(big.json()).toEqual({ ok: true, written: body.length });
    expect(boardGot).toBeGreaterThanOrEqual(7 + body.length - IN_FLIGHT_BYTES);
    expect(Buffer.from(await board.board.readBytes(body.length)).equals(body)).toBe(true);

    await board.unplug();
    await untilState(watcher, 'waiting');
    const refused = await post('api/ports/c/write', 'anyone there?\n');
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({ ok: false, code: 'not-open', written: 0 });
    expect(refused.json<{ error: string }>().error).toMatch(/waiting/);
    // Nobody but the HTTP caller hears of it.
    expect(messagesOf(watcher, 'error').filter((m) => m.code === 'not-open')).toEqual([]);
  });

  it('refuses an out-of-range baud with 400 naming the limit, and applies a good one', async () => {
    await setup();
    const huge = await post('api/ports/c/command', JSON.stringify({ type: 'set-baud', baudRate: 9007199254740991 }));
    expect(huge.status).toBe(400);
    expect(huge.json()).toMatchObject({ code: 'bad-request' });
    expect(huge.json<{ error: string }>().error).toMatch(/20000000/);
    expect((await getPort(srv.url, 'c')).device.baudRate).toBe(115200);

    const ok = await post('api/ports/c/command', JSON.stringify({ type: 'set-baud', baudRate: 9600 }));
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({ ok: true });
    expect((await getPort(srv.url, 'c')).device.baudRate).toBe(9600);

    const garbage = await post('api/ports/c/command', '{"type":');
    expect(garbage.status).toBe(400);
    expect(garbage.json<{ error: string }>().error).toMatch(/JSON/);
  });

  it('answers a WebSocket command only to its sender: one result for an id, a refusal as an error', async () => {
    await setup();
    const sender = await client();
    const other = await client();

    sender.send({ type: 'set-baud', baudRate: 57600, id: 7 });
    await sender.until(() => messagesOf(sender, 'result').some((r) => r.id === 7), 'result 7');
    await other.until(() => messagesOf(other, 'status').some((s) => s.device.baudRate === 57600), 'the new baud (everyone sees state)');
    // A second command with its own id: once its result is in, a duplicate of 7 would have been too.
    sender.send({ type: 'set-signals', dtr: true, id: 8 });
    await sender.until(() => messagesOf(sender, 'result').some((r) => r.id === 8), 'result 8');
    expect(messagesOf(sender, 'result').filter((r) => r.id === 7)).toEqual([{ type: 'result', id: 7, ok: true }]);
    expect(messagesOf(sender, 'result').filter((r) => r.id === 8)).toHaveLength(1);

    // An out-of-range baud with an id: refused to the sender alone, naming the limit, and answered
    // as a result for its id (a script waiting on id 3 must not wait forever).
    sender.send({ type: 'set-baud', baudRate: 9007199254740991, id: 3 });
    // (A pty refuses DTR on open: that `device` error went to everyone and is not an answer.)
    const answersTo3 = () => sender.messages.filter((m) => (m.type === 'result' && m.id === 3) || (m.type === 'error' && m.code !== 'device'));
    await sender.until(() => answersTo3().length > 0, 'an answer to 3');
    const [answer] = answersTo3();
    expect(answer && 'message' in answer && answer.message).toMatch(/20000000/);
    expect(other.messages.some((m) => 'message' in m && /20000000/.test(m.message ?? ''))).toBe(false);
    expect.soft(answer, 'a command with an id gets a result, even when it is out of range').toMatchObject({
      type: 'result',
      id: 3,
      ok: false,
      code: 'bad-request',
    });

    // A write refused while unplugged: the sender alone gets the error.
    await board.unplug();
    await untilState(sender, 'waiting');
    await untilState(other, 'waiting');
    sender.sendBytes('typed into the void\n');
    await sender.until(() => messagesOf(sender, 'error').some((m) => m.code === 'not-open'), 'a not-open error');
    // The other client's next answer comes after anything broadcast with that error.
    other.send({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 0, id: 1 });
    await other.until(() => messagesOf(other, 'result').some((r) => r.id === 1), 'result 1');
    expect(other.messages.filter((m) => m.type === 'error' && m.code !== 'device')).toEqual([]);
    expect(messagesOf(other, 'result').map((r) => r.id)).toEqual([1]);
    expect(messagesOf(sender, 'result').some((r) => r.id === 1)).toBe(false);
  });

  it('records every write in the capture with its source', async () => {
    await setup();
    const typist = await client();
    typist.sendBytes('typed on ws\n');
    expect(await board.board.readUntil('typed on ws\n')).toBe('typed on ws\n');
    expect((await post('api/ports/c/write', 'sent by http\n')).json()).toEqual({ ok: true, written: 13 });
    await board.board.write('board reply\r\n');
    await typist.untilText('board reply\r\n');

    const download = await request(srv.url, 'api/ports/c/download?format=ndjson');
    const records = download
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; source?: string; text?: string });
    const writes = records.filter((r) => r.kind === 'write').map((r) => ({ source: r.source, text: r.text }));
    expect(writes).toEqual([
      { source: expect.stringMatching(/^ws:\d+@(::ffff:)?127\.0\.0\.1$/), text: 'typed on ws\n' },
      { source: expect.stringMatching(/^http@(::ffff:)?127\.0\.0\.1$/), text: 'sent by http\n' },
    ]);
    expect(records.filter((r) => r.kind === 'data').map((r) => r.text).join('')).toBe('board reply\r\n');
  });
});
