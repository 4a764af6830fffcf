// A single-writer port's keyboard: asking, queueing, handing over, force-taking, leaving, and which
// writes it lets through (pages by connection, scripts by name); a shared port lets every write through.
import { describe, expect, it } from 'vitest';
import { Keyboard, type KeyboardState } from '../../server/ports/keyboard.js';
import type { KeyboardChange } from '../../server/wire/protocol.js';

/** A single-writer keyboard with alice (operator, 1), bob (operator, 2), carol (viewer, 3) and root (admin, 4), and what it said. */
function bench(): { keyboard: Keyboard; changes: KeyboardChange[]; states: KeyboardState[] } {
  const keyboard = new Keyboard('single');
  const changes: KeyboardChange[] = [];
  const states: KeyboardState[] = [];
  keyboard.listen((state, change) => {
    states.push(state);
    changes.push(change);
  });
  keyboard.join({ id: '1', name: 'alice', role: 'operator' });
  keyboard.join({ id: '2', name: 'bob', role: 'operator' });
  keyboard.join({ id: '3', name: 'carol', role: 'viewer' });
  keyboard.join({ id: '4', name: 'root', role: 'admin' });
  return { keyboard, changes, states };
}

const alice = { id: '1', name: 'alice' };
const bob = { id: '2', name: 'bob' };
const root = { id: '4', name: 'root' };

describe('Keyboard (single writer)', () => {
  it('starts free; the first to ask takes it, the next asks and waits', () => {
    const { keyboard, changes } = bench();
    expect(keyboard.state()).toEqual({ holder: null, requests: [] });
    expect(keyboard.request('1')).toEqual({ ok: true });
    expect(keyboard.request('2')).toEqual({ ok: true });
    expect(keyboard.request('2')).toEqual({ ok: true }); // asking twice queues once
    expect(keyboard.state()).toEqual({ holder: alice, requests: [bob] });
    expect(changes).toEqual([
      { kind: 'took', by: 'alice' },
      { kind: 'asked', by: 'bob', to: 'alice' },
    ]);
    expect(keyboard.holds('1')).toBe(true);
    expect(keyboard.holds('2')).toBe(false);
  });

  it('lets only the holder write; others are refused with who holds it', () => {
    const { keyboard } = bench();
    keyboard.request('1');
    expect(keyboard.checkWrite({ seat: '1', name: 'alice', role: 'operator' })).toEqual({ ok: true });
    const refused = keyboard.checkWrite({ seat: '2', name: 'bob', role: 'operator' });
    expect(refused).toMatchObject({ ok: false, code: 'not-holder' });
    if (!refused.ok) expect(refused.message).toMatch(/alice holds the keyboard.*ask for the keyboard/);
  });

  it("gives a free keyboard to an operator's first write, and says so", () => {
    const { keyboard, changes } = bench();
    expect(keyboard.checkWrite({ seat: '2', name: 'bob', role: 'operator' })).toEqual({ ok: true });
    expect(keyboard.state().holder).toEqual(bob);
    expect(changes).toEqual([{ kind: 'took', by: 'bob' }]);
    expect(keyboard.checkWrite({ seat: '1', name: 'alice', role: 'operator' })).toMatchObject({ ok: false, code: 'not-holder' });
  });

  it('lets a script (no connection) write only while a connection of its name holds the keyboard', () => {
    const { keyboard } = bench();
    const script = { name: 'alice', role: 'operator' as const };
    const nobody = keyboard.checkWrite(script);
    expect(nobody).toMatchObject({ ok: false, code: 'not-holder' });
    if (!nobody.ok) expect(nobody.message).toMatch(/nobody holds the keyboard/);
    expect(keyboard.state().holder).toBeNull(); // a script never takes it
    keyboard.request('1');
    expect(keyboard.checkWrite(script)).toEqual({ ok: true });
    expect(keyboard.checkWrite({ name: 'bob', role: 'operator' })).toMatchObject({ ok: false, code: 'not-holder' });
  });

  it('hands over to anyone here who may type, asked or not; only the holder can', () => {
    const { keyboard, changes } = bench();
    keyboard.request('1');
    keyboard.request('2');
    expect(keyboard.grant('2', '2')).toMatchObject({ ok: false, code: 'not-holder' });
    expect(keyboard.grant('1', '3')).toMatchObject({ ok: false, code: 'bad-request', message: expect.stringMatching(/carol is viewer/) });
    expect(keyboard.grant('1', '99')).toMatchObject({ ok: false, code: 'bad-request', message: expect.stringMatching(/nobody with id "99"/) });
    expect(keyboard.grant('1', '2')).toEqual({ ok: true });
    expect(keyboard.state()).toEqual({ holder: bob, requests: [] }); // bob's request is answered
    expect(changes.at(-1)).toEqual({ kind: 'handed', by: 'alice', to: 'bob' });
    expect(keyboard.grant('2', '4')).toEqual({ ok: true }); // root never asked
    expect(keyboard.state().holder).toEqual(root);
  });

  it('passes a released keyboard to the first who asked, or to nobody', () => {
    const { keyboard, changes } = bench();
    keyboard.request('1');
    keyboard.request('2');
    keyboard.request('4');
    expect(keyboard.release('1')).toEqual({ ok: true });
    expect(keyboard.state()).toEqual({ holder: bob, requests: [root] });
    expect(changes.at(-1)).toEqual({ kind: 'released', by: 'alice', to: 'bob' });
    keyboard.release('4'); // root withdraws
    expect(changes.at(-1)).toEqual({ kind: 'withdrew', by: 'root' });
    keyboard.release('2');
    expect(keyboard.state()).toEqual({ holder: null, requests: [] });
    expect(changes.at(-1)).toEqual({ kind: 'released', by: 'bob' });
  });

  it('lets an admin take it by force; the holder keeps watching and may ask again', () => {
    const { keyboard, changes } = bench();
    keyboard.request('1');
    expect(keyboard.take('2')).toMatchObject({ ok: false, code: 'forbidden', message: expect.stringMatching(/admin role; bob is operator/) });
    expect(keyboard.take('4')).toEqual({ ok: true });
    expect(keyboard.state()).toEqual({ holder: root, requests: [] });
    expect(changes.at(-1)).toEqual({ kind: 'forced', by: 'root', from: 'alice' });
    expect(keyboard.checkWrite({ seat: '1', name: 'alice', role: 'operator' })).toMatchObject({ ok: false, code: 'not-holder' });
    keyboard.request('1');
    expect(keyboard.state().requests).toEqual([alice]);
  });

  it('refuses viewers: no asking, and their writes never take the keyboard', () => {
    const { keyboard, changes } = bench();
    expect(keyboard.request('3')).toMatchObject({ ok: false, code: 'read-only', message: expect.stringMatching(/carol is viewer/) });
    expect(keyboard.checkWrite({ seat: '3', name: 'carol', role: 'viewer' })).toMatchObject({ ok: false, code: 'not-holder' });
    expect(keyboard.state().holder).toBeNull();
    expect(changes).toEqual([]);
  });

  it("frees the keyboard when its holder leaves: the first who asked gets it, else nobody; a waiting seat's leaving withdraws it", () => {
    const { keyboard, changes } = bench();
    keyboard.request('1');
    keyboard.request('2');
    keyboard.request('4');
    expect(keyboard.leave('4')).toBe(true);
    expect(changes.at(-1)).toEqual({ kind: 'withdrew', by: 'root' });
    expect(keyboard.leave('1')).toBe(true);
    expect(keyboard.state()).toEqual({ holder: bob, requests: [] });
    expect(changes.at(-1)).toEqual({ kind: 'left', by: 'alice', to: 'bob' });
    expect(keyboard.leave('3')).toBe(false); // a viewer leaving changes nothing
    expect(keyboard.leave('2')).toBe(true);
    expect(keyboard.state()).toEqual({ holder: null, requests: [] });
    expect(changes.at(-1)).toEqual({ kind: 'left', by: 'bob' });
    expect(keyboard.leave('2')).toBe(false); // twice is harmless
    expect(keyboard.grant('2', '1')).toMatchObject({ ok: false, code: 'not-holder' }); // a gone seat holds nothing
  });
});

describe('Keyboard (shared)', () => {
  it('lets every write through and refuses keyboard actions with the reason', () => {
    const keyboard = new Keyboard('shared');
    const changes: KeyboardChange[] = [];
    keyboard.listen((_state, change) => changes.push(change));
    keyboard.join({ id: '1', name: 'alice', role: 'operator' });
    expect(keyboard.single).toBe(false);
    expect(keyboard.checkWrite({ seat: '1', name: 'alice', role: 'operator' })).toEqual({ ok: true });
    expect(keyboard.checkWrite({ name: 'script', role: 'operator' })).toEqual({ ok: true });
    for (const outcome of [keyboard.request('1'), keyboard.release('1'), keyboard.take('1'), keyboard.grant('1', '1')])
      expect(outcome).toMatchObject({ ok: false, code: 'bad-request', message: expect.stringMatching(/shared/) });
    expect(keyboard.state()).toEqual({ holder: null, requests: [] });
    expect(changes).toEqual([]);
  });
});
