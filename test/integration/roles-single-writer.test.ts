// A single-writer port over the WebSocket and the HTTP API, on a socat pty: the first operator to type
// takes the free keyboard; the other is refused (not-holder) until they ask and are handed it; an admin
// takes it by force; the holder leaving frees it for the first who asked; scripts write only under the
// holder's name; control commands stay admin-only and are not tied to the keyboard. Every viewer sees
// each change. Token-less pages name themselves with ?name=.
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../helpers/ws-client.js';
import { startTestServer } from '../helpers/test-server.js';
import { all, Cleanups, connectAs, nextMessage, PEOPLE, postAs, resultOf, serveWithPeople } from './roles-helpers.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('single writer', () => {
  it('asks, hands over, force-takes and frees the keyboard; refuses everyone else, over WS and HTTP', async () => {
    const { srv, pair } = await serveWithPeople(cleanups, { writers: 'single' });
    const otto = await connectAs(cleanups, srv, PEOPLE.otto);
    const olga = await connectAs(cleanups, srv, PEOPLE.olga);
    const vera = await connectAs(cleanups, srv, PEOPLE.vera);
    const ottoHello = await otto.message('hello');
    const olgaHello = await olga.message('hello');
    expect(ottoHello).toMatchObject({ writers: 'single', client: expect.any(String) });
    const ottoId = ottoHello.client!;
    const olgaId = olgaHello.client!;
    expect(await otto.message('keyboard')).toEqual({ type: 'keyboard', holder: null, requests: [] });

    // The first operator to type takes the free keyboard; everyone hears it.
    olga.sendBytes('olga-1\n');
    expect(text(await pair.board.readBytes(7))).toBe('olga-1\n');
    for (const client of [otto, olga, vera])
      await nextMessage(client, 'keyboard', (m) => m.change?.kind === 'took', 'olga taking the keyboard');
    expect(all(vera, 'keyboard').at(-1)).toEqual({
      type: 'keyboard',
      holder: { id: olgaId, name: 'olga' },
      requests: [],
      change: { kind: 'took', by: 'olga' },
    });
    const who = await nextMessage(vera, 'who', (m) => m.people.some((p) => p.holdsKeyboard), 'a who-list with a holder');
    expect(who.people.filter((p) => p.holdsKeyboard).map((p) => p.name)).toEqual(['olga']);

    // The other operator is refused, over WS and HTTP, and nothing of theirs reaches the board.
    otto.sendBytes('otto-1\n');
    const refused = await nextMessage(otto, 'error', (m) => m.code === 'not-holder', "otto's refusal");
    expect(refused.message).toMatch(/one writer at a time and olga holds the keyboard; ask for the keyboard/);
    const http = await postAs(srv, PEOPLE.otto, 'write', 'otto-http\n');
    expect(http.status).toBe(409);
    expect(http.json()).toMatchObject({ ok: false, code: 'not-holder', error: expect.stringMatching(/olga holds the keyboard/) });
    // A script under the holder's name may type with it.
    expect((await postAs(srv, PEOPLE.olga, 'write', 'olga-http\n')).status).toBe(200);
    expect(text(await pair.board.readBytes(10))).toBe('olga-http\n');

    // Control commands are admin-only by role and not tied to the keyboard: the holder cannot, the admin can.
    olga.send({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 1, id: 1 });
    expect(await resultOf(olga, 1)).toMatchObject({ ok: false, code: 'forbidden' });
    const ada = await connectAs(cleanups, srv, PEOPLE.ada);
    ada.send({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 1, id: 2 });
    expect(await resultOf(ada, 2)).toMatchObject({ ok: true });

    // Otto asks; the holder sees the request and hands over; otto types.
    otto.send({ type: 'keyboard-request', id: 3 });
    expect(await resultOf(otto, 3)).toMatchObject({ ok: true });
    const asked = await nextMessage(olga, 'keyboard', (m) => m.change?.kind === 'asked', 'the request, at the holder');
    expect(asked).toMatchObject({ holder: { name: 'olga' }, requests: [{ id: ottoId, name: 'otto' }], change: { by: 'otto', to: 'olga' } });
    olga.send({ type: 'keyboard-grant', to: ottoId, id: 4 });
    expect(await resultOf(olga, 4)).toMatchObject({ ok: true });
    const handed = await nextMessage(vera, 'keyboard', (m) => m.change?.kind === 'handed', 'the handover, at a viewer');
    expect(handed).toMatchObject({ holder: { id: ottoId, name: 'otto' }, requests: [], change: { by: 'olga', to: 'otto' } });
    otto.sendBytes('otto-2\n');
    expect(text(await pair.board.readBytes(7))).toBe('otto-2\n');
    olga.sendBytes('olga-2\n');
    await nextMessage(olga, 'error', (m) => m.code === 'not-holder' && /otto holds/.test(m.message), "olga's refusal");

    // Only the holder hands over; a viewer can neither ask nor take; an operator cannot force.
    olga.send({ type: 'keyboard-grant', to: olgaId, id: 5 });
    expect(await resultOf(olga, 5)).toMatchObject({ ok: false, code: 'not-holder' });
    vera.send({ type: 'keyboard-request', id: 6 });
    expect(await resultOf(vera, 6)).toMatchObject({ ok: false, code: 'read-only' });
    olga.send({ type: 'keyboard-take', id: 7 });
    expect(await resultOf(olga, 7)).toMatchObject({ ok: false, code: 'forbidden', message: expect.stringMatching(/admin role/) });

    // Olga asks again; the admin takes the keyboard by force; otto is refused now.
    olga.send({ type: 'keyboard-request', id: 8 });
    await resultOf(olga, 8);
    ada.send({ type: 'keyboard-take', id: 9 });
    expect(await resultOf(ada, 9)).toMatchObject({ ok: true });
    const forced = await nextMessage(otto, 'keyboard', (m) => m.change?.kind === 'forced', 'the force-take, at the old holder');
    expect(forced).toMatchObject({ holder: { name: 'ada' }, requests: [{ id: olgaId, name: 'olga' }], change: { by: 'ada', from: 'otto' } });
    otto.sendBytes('otto-3\n');
    await nextMessage(otto, 'error', (m) => m.code === 'not-holder' && /ada holds/.test(m.message), "otto's refusal after the take");

    // The admin leaves: the keyboard goes to the first who asked (olga).
    await ada.close();
    const left = await nextMessage(vera, 'keyboard', (m) => m.change?.kind === 'left', 'the holder leaving');
    expect(left).toMatchObject({ holder: { id: olgaId, name: 'olga' }, requests: [], change: { by: 'ada', to: 'olga' } });
    olga.sendBytes('olga-3\n');
    expect(text(await pair.board.readBytes(7))).toBe('olga-3\n');

    // Olga lets go with nobody waiting: the keyboard is free, and nobody's script may write.
    olga.send({ type: 'keyboard-release', id: 10 });
    await nextMessage(vera, 'keyboard', (m) => m.change?.kind === 'released', 'the release');
    expect(all(vera, 'keyboard').at(-1)).toMatchObject({ holder: null, requests: [], change: { by: 'olga' } });
    const nobody = await postAs(srv, PEOPLE.olga, 'write', 'olga-http-2\n');
    expect(nobody.status).toBe(409);
    expect(nobody.json()).toMatchObject({ code: 'not-holder', error: expect.stringMatching(/nobody holds the keyboard/) });
    // Nothing refused ever reached the board.
    expect(pair.board.discard()).toBe(0);
  });

  it('shared ports: no keyboard, every operator types, keyboard messages are refused with the reason', async () => {
    const { srv, pair } = await serveWithPeople(cleanups);
    const otto = await connectAs(cleanups, srv, PEOPLE.otto);
    const olga = await connectAs(cleanups, srv, PEOPLE.olga);
    expect(await otto.message('hello')).toMatchObject({ writers: 'shared' });
    otto.sendBytes('a\n');
    expect(text(await pair.board.readBytes(2))).toBe('a\n');
    olga.sendBytes('b\n');
    expect(text(await pair.board.readBytes(2))).toBe('b\n');
    otto.send({ type: 'keyboard-request', id: 1 });
    expect(await resultOf(otto, 1)).toMatchObject({ ok: false, code: 'bad-request', message: expect.stringMatching(/shared/) });
    expect(all(otto, 'keyboard')).toEqual([]);
  });
});

describe('who is here', () => {
  it('names token-less pages from ?name= (cleaned, marked anonymous), lists joins and leaves to everyone', async () => {
    const srv = await startTestServer();
    cleanups.add(() => srv.close());
    const bob = await connect(srv.url, { query: `name=${encodeURIComponent('  Bob <b>  ')}` });
    cleanups.add(() => bob.close());
    expect(await bob.message('hello')).toMatchObject({ name: 'Bob b (anonymous)', role: 'admin' });
    const plain = await connect(srv.url);
    cleanups.add(() => plain.close());
    expect(await plain.message('hello')).toMatchObject({ name: 'anonymous' });

    const both = await nextMessage(bob, 'who', (m) => m.people.length === 2, 'both in the who-list');
    expect(both.people.map((p) => p.name)).toEqual(['Bob b (anonymous)', 'anonymous']);
    expect(new Set(both.people.map((p) => p.id)).size).toBe(2);
    await plain.close();
    await bob.until(() => all(bob, 'who').at(-1)!.people.length === 1, 'the who-list after a leave');
    expect(all(bob, 'who').at(-1)!.people.map((p) => p.name)).toEqual(['Bob b (anonymous)']);
  });

  it('ignores ?name= from a token: the token names its holder', async () => {
    const { srv } = await serveWithPeople(cleanups);
    const client = await connect(srv.url, { path: 'ws/b', query: 'name=mallory', headers: { Authorization: `Bearer ${PEOPLE.otto.token}` } });
    cleanups.add(() => client.close());
    expect(await client.message('hello')).toMatchObject({ name: 'otto' });
  });
});
