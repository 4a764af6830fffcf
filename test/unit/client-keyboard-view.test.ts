// The keyboard control's view and notices, and the who-list's rows and stored name: what each page
// sees on a single-writer port by role and by whether it holds, asked for, or lacks the keyboard.
import { describe, expect, it } from 'vitest';
import { keyboardNotice, keyboardView, type KeyboardFacts } from '../../client/controls/keyboard-view.js';
import { roleRefusal } from '../../client/controls/role-controls.js';
import {
  DISPLAY_NAME_KEY,
  isAnonymousName,
  loadDisplayName,
  saveDisplayName,
  shouldAskName,
  sinceLabel,
  whoRows,
  whoSummary,
} from '../../client/controls/who-format.js';
import type { WhoEntry } from '../../server/wire/protocol.js';

const people: WhoEntry[] = [
  { id: '1', name: 'alice', role: 'operator', since: 0, holdsKeyboard: true },
  { id: '2', name: 'bob', role: 'operator', since: 0 },
  { id: '3', name: 'vera', role: 'viewer', since: 0 },
  { id: '4', name: 'root', role: 'admin', since: 0 },
];
const held = { holder: { id: '1', name: 'alice' }, requests: [{ id: '2', name: 'bob' }] };
const facts = (over: Partial<KeyboardFacts>): KeyboardFacts => ({ writers: 'single', state: held, me: '1', role: 'operator', people, ...over });

describe('keyboardView', () => {
  it('shows nothing on a shared port', () => {
    expect(keyboardView(facts({ writers: 'shared' }))).toBeNull();
  });

  it('the holder sees who asked, can hand over (askers first) or release, and may type', () => {
    expect(keyboardView(facts({}))).toEqual({
      text: 'You hold the keyboard · bob asked for it',
      ask: null,
      grant: [
        { id: '2', label: 'bob (asked)' },
        { id: '4', label: 'root' },
      ],
      release: true,
      take: false,
      blocked: null,
    });
  });

  it('another operator may ask (or withdraw) and is blocked from typing with the reason', () => {
    const other = keyboardView(facts({ me: '2', state: { holder: held.holder, requests: [] } }))!;
    expect(other).toMatchObject({ text: 'alice holds the keyboard', ask: { label: 'Ask for keyboard', action: 'request' }, take: false, release: false, grant: [] });
    expect(other.blocked).toBe('alice holds the keyboard: ask for it to type');
    expect(keyboardView(facts({ me: '2' }))).toMatchObject({ text: 'alice holds the keyboard · you asked for it', ask: { label: 'Withdraw request', action: 'release' } });
  });

  it('an admin can also take it; a viewer sees who holds it and nothing to press', () => {
    expect(keyboardView(facts({ me: '4', role: 'admin' }))).toMatchObject({ take: true, ask: { action: 'request' } });
    expect(keyboardView(facts({ me: '3', role: 'viewer' }))).toEqual({ text: 'alice holds the keyboard', ask: null, grant: [], release: false, take: false, blocked: null });
  });

  it('a free keyboard: operators may type (taking it) or take it; no force needed', () => {
    const free = keyboardView(facts({ me: '2', state: { holder: null, requests: [] } }))!;
    expect(free).toMatchObject({ text: 'Nobody holds the keyboard: type or take it', ask: { label: 'Take keyboard', action: 'request' }, blocked: null });
    expect(keyboardView(facts({ me: '4', role: 'admin', state: null }))).toMatchObject({ take: false, blocked: null });
  });
});

describe('keyboardNotice', () => {
  it.each([
    [{ kind: 'took', by: 'alice' }, 'alice took the keyboard'],
    [{ kind: 'asked', by: 'bob', to: 'alice' }, 'bob asked alice for the keyboard'],
    [{ kind: 'withdrew', by: 'bob' }, 'bob no longer asks for the keyboard'],
    [{ kind: 'handed', by: 'alice', to: 'bob' }, 'alice handed the keyboard to bob'],
    [{ kind: 'released', by: 'alice', to: 'bob' }, 'alice let go of the keyboard; bob, who asked first, has it now'],
    [{ kind: 'released', by: 'alice' }, 'alice let go of the keyboard; nobody holds it'],
    [{ kind: 'forced', by: 'root', from: 'alice' }, 'root took the keyboard from alice (admin)'],
    [{ kind: 'left', by: 'alice', to: 'bob' }, 'alice left; bob, who asked first, holds the keyboard now'],
    [{ kind: 'left', by: 'alice' }, 'alice left; nobody holds the keyboard'],
  ] as const)('%j → %s', (change, words) => {
    expect(keyboardNotice(change)).toBe(words);
  });
});

describe('who-list words', () => {
  it('puts this page first, marked (you), with role, since and the keyboard', () => {
    const today = new Date(2026, 10, 30, 14, 2).getTime();
    const rows = whoRows([{ ...people[0]!, since: today }, { ...people[1]!, since: new Date(2026, 10, 3, 9, 5).getTime() }], '2', today + 60_000);
    expect(rows).toEqual([
      { id: '2', name: 'bob (you)', role: 'operator', since: 'since 3 Nov 09:05', holdsKeyboard: false },
      { id: '1', name: 'alice', role: 'operator', since: 'since 14:02', holdsKeyboard: true },
    ]);
    expect(sinceLabel(today, today)).toBe('since 14:02');
    expect(whoSummary(people)).toBe('4 people here; alice holds the keyboard');
    expect(whoSummary([people[1]!])).toBe('1 person here');
  });

  it('keeps a token-less name cleaned, and asks once, only once someone else is here', () => {
    const map = new Map<string, string>();
    const store = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    expect(isAnonymousName('anonymous')).toBe(true);
    expect(isAnonymousName('bob (anonymous)')).toBe(true);
    expect(isAnonymousName('otto')).toBe(false);
    expect(shouldAskName(store, 'anonymous', 1)).toBe(false); // alone: no one to tell apart
    expect(shouldAskName(store, 'otto', 2)).toBe(false); // a token names the page
    expect(shouldAskName(store, 'anonymous', 2)).toBe(true);
    expect(saveDisplayName(store, '  Bob <3 ')).toBe('Bob 3');
    expect(map.get(DISPLAY_NAME_KEY)).toBe('Bob 3');
    expect(loadDisplayName(store)).toBe('Bob 3');
    expect(shouldAskName(store, 'Bob 3 (anonymous)', 2)).toBe(false);
    map.delete(DISPLAY_NAME_KEY);
    expect(shouldAskName(store, 'anonymous', 2)).toBe(false); // asked (answered) once: not again
  });

  it('says why a control is off for a role', () => {
    expect(roleRefusal('operator')).toBe('Needs the admin role; you are operator on this port');
  });
});
