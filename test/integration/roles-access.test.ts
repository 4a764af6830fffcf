// Each role's allowed and refused actions, over the WebSocket and the HTTP API, against a real
// server whose port is a socat pty: a viewer watches only, an operator also types, an admin also
// changes the port. Refusals carry their code and reason to the asker; refused bytes never reach the board.
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups, connectAs, PEOPLE, postAs, resultOf, serveWithPeople, nextMessage, PORT } from './roles-helpers.js';
import { request } from '../helpers/ports-api.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('roles over the WebSocket', () => {
  it('viewer watches; operator types but cannot change the port; admin does both', async () => {
    const { srv, pair } = await serveWithPeople(cleanups);
    const vera = await connectAs(cleanups, srv, PEOPLE.vera);
    const otto = await connectAs(cleanups, srv, PEOPLE.otto);
    const ada = await connectAs(cleanups, srv, PEOPLE.ada);
    expect(await vera.message('hello')).toMatchObject({ name: 'vera', role: 'viewer', readOnly: true, writers: 'shared' });
    expect(await otto.message('hello')).toMatchObject({ name: 'otto', role: 'operator', readOnly: false });
    expect(await ada.message('hello')).toMatchObject({ name: 'ada', role: 'admin', readOnly: false });

    // Everyone watches: the board's output reaches all three.
    await pair.board.write('hello viewers\r\n');
    await Promise.all([vera, otto, ada].map((c) => c.untilText('hello viewers')));

    // A viewer's bytes are refused with the read-only code, to the viewer alone; the operator's go through.
    vera.sendBytes('from-vera\n');
    const refusal = await nextMessage(vera, 'error', (m) => m.code === 'read-only', "vera's refusal");
    expect(refusal.message).toMatch(/writing needs the operator role; vera is viewer/);
    otto.sendBytes('from-otto\n');
    expect(new TextDecoder().decode(await pair.board.readBytes('from-otto\n'.length))).toBe('from-otto\n'); // nothing of vera's before it
    ada.sendBytes('from-ada\n');
    expect(new TextDecoder().decode(await pair.board.readBytes('from-ada\n'.length))).toBe('from-ada\n');

    // Port commands: a viewer is read-only, an operator forbidden, an admin obeyed.
    vera.send({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 3, id: 1 });
    otto.send({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 3, id: 2 });
    ada.send({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 3, id: 3 });
    expect(await resultOf(vera, 1)).toMatchObject({ ok: false, code: 'read-only' });
    expect(await resultOf(otto, 2)).toMatchObject({ ok: false, code: 'forbidden', message: expect.stringMatching(/set-pacing needs the admin role; otto is operator/) });
    expect(await resultOf(ada, 3)).toMatchObject({ ok: true });
    await nextMessage(otto, 'status', (m) => m.device.lineDelayMs === 3, 'the new pacing in a status');
    // Nobody else hears of a refusal.
    expect(ada.messages.filter((m) => m.type === 'error' || (m.type === 'result' && m.id !== 3))).toEqual([]);
    expect(otto.messages.some((m) => m.type === 'error' && m.code === 'read-only')).toBe(false);

    // The who-list names all three with their roles.
    const who = await nextMessage(vera, 'who', (m) => m.people.length === 3, 'a who-list of three');
    expect(who.people.map((p) => [p.name, p.role])).toEqual([
      ['vera', 'viewer'],
      ['otto', 'operator'],
      ['ada', 'admin'],
    ]);
    for (const person of who.people) expect(Math.abs(person.since - Date.now())).toBeLessThan(60_000);
  });
});

describe('roles over the HTTP API', () => {
  it('the same answers: viewer 403 read-only, operator may write but not command, admin may both', async () => {
    const { srv, pair } = await serveWithPeople(cleanups);
    // Everyone may read the port.
    for (const person of Object.values(PEOPLE))
      expect((await request(srv.url, `api/ports/${PORT}`, { headers: { Authorization: `Bearer ${person.token}` } })).status).toBe(200);

    const viewerWrite = await postAs(srv, PEOPLE.vera, 'write', 'from-vera\n');
    expect(viewerWrite.status).toBe(403);
    expect(viewerWrite.json()).toMatchObject({ ok: false, code: 'read-only', error: expect.stringMatching(/vera is viewer/) });
    const operatorWrite = await postAs(srv, PEOPLE.otto, 'write', 'from-otto\n');
    expect(operatorWrite.status).toBe(200);
    expect(operatorWrite.json()).toMatchObject({ ok: true, written: 10 });
    expect(new TextDecoder().decode(await pair.board.readBytes(10))).toBe('from-otto\n');
    expect((await postAs(srv, PEOPLE.ada, 'write', 'from-ada\n')).status).toBe(200);
    expect(new TextDecoder().decode(await pair.board.readBytes(9))).toBe('from-ada\n');

    const pacing = JSON.stringify({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 2 });
    const viewerCommand = await postAs(srv, PEOPLE.vera, 'command', pacing);
    expect(viewerCommand.status).toBe(403);
    expect(viewerCommand.json()).toMatchObject({ code: 'read-only' });
    const operatorCommand = await postAs(srv, PEOPLE.otto, 'command', pacing);
    expect(operatorCommand.status).toBe(403);
    expect(operatorCommand.json()).toMatchObject({ code: 'forbidden', error: expect.stringMatching(/needs the admin role; otto is operator/) });
    const adminCommand = await postAs(srv, PEOPLE.ada, 'command', pacing);
    expect(adminCommand.status).toBe(200);
    expect(srv.registry.get(PORT)!.device.lineDelayMs).toBe(2);

    // send (a line and the board's reply) is a write: the viewer is refused before anything is written.
    const viewerSend = await postAs(srv, PEOPLE.vera, 'send', JSON.stringify({ line: 'hi', until: { quietMs: 100 } }));
    expect(viewerSend.status).toBe(403);
    expect(pair.board.discard()).toBe(0);
  });

  it('without a token: refused with 401 on every route', async () => {
    const { srv } = await serveWithPeople(cleanups);
    for (const route of ['write', 'command', 'send'])
      expect((await request(srv.url, `api/ports/${PORT}/${route}`, { method: 'POST', body: '{}' })).status).toBe(401);
  });
});
