// What a single-writer port's keyboard control shows this page, worked out from the server's
// `keyboard` and `who` messages and this page's own id and role; and the console's words for each
// handover. Pure, so the unit tests cover every case without a DOM.
import type { KeyboardChange, KeyboardSeat, WhoEntry, WritersMode } from '../../server/wire/protocol.js';
import { roleAllows, type Role } from '../../server/wire/roles.js';

/** The keyboard as the server last described it. */
export interface KeyboardStateLike {
  holder: KeyboardSeat | null;
  requests: KeyboardSeat[];
}

/** Everything the view is made from. */
export interface KeyboardFacts {
  writers: WritersMode;
  /** Null until the first `keyboard` message. */
  state: KeyboardStateLike | null;
  /** This page's connection id (hello's `client`); null before hello. */
  me: string | null;
  role: Role;
  /** The who-list, for the people the holder can hand over to. */
  people: readonly WhoEntry[];
}

/** What to show beside the input. */
export interface KeyboardView {
  /** Who holds it, and who asked. */
  text: string;
  /** The ask button: ask (or take a free keyboard), or withdraw a request; null: no such button (holder, viewer). */
  ask: { label: string; action: 'request' | 'release' } | null;
  /** The holder's choices to hand over to: those who asked first, then everyone else here who may type. */
  grant: Array<{ id: string; label: string }>;
  /** The holder may let go. */
  release: boolean;
  /** An admin may take it from its holder (conserver's force attach). */
  take: boolean;
  /** Why this page may not type now, or null. */
  blocked: string | null;
}

/** The view for `facts`; null on a shared port (nothing to show). */
export function keyboardView(facts: KeyboardFacts): KeyboardView | null {
  if (facts.writers !== 'single') return null;
  const { holder, requests } = facts.state ?? { holder: null, requests: [] };
  const canType = roleAllows(facts.role, 'write');
  const mine = holder !== null && holder.id === facts.me;
  const asked = requests.some((r) => r.id === facts.me);
  const askers = requests.map((r) => r.name);

  let text: string;
  if (mine) text = askers.length ? `You hold the keyboard · ${listNames(askers)} asked for it` : 'You hold the keyboard';
  else if (holder) text = `${holder.name} holds the keyboard${asked ? ' · you asked for it' : ''}`;
  else text = canType ? 'Nobody holds the keyboard: type or take it' : 'Nobody holds the keyboard';

  let ask: KeyboardView['ask'] = null;
  if (canType && !mine) ask = asked ? { label: 'Withdraw request', action: 'release' } : { label: holder ? 'Ask for keyboard' : 'Take keyboard', action: 'request' };

  const grant: KeyboardView['grant'] = [];
  if (mine) {
    for (const r of requests) grant.push({ id: r.id, label: `${r.name} (asked)` });
    for (const p of facts.people)
      if (p.id !== facts.me && roleAllows(p.role, 'write') && !requests.some((r) => r.id === p.id)) grant.push({ id: p.id, label: p.name });
  }

  return {
    text,
    ask,
    grant,
    release: mine,
    take: roleAllows(facts.role, 'audit') && holder !== null && !mine,
    blocked: canType && holder !== null && !mine ? `${holder.name} holds the keyboard: ask for it to type` : null,
  };
}

/** The console's notice for a change of the keyboard, as conserver marks attach and force-attach in its log. */
export function keyboardNotice(change: KeyboardChange): string {
  const { by, to, from } = change;
  switch (change.kind) {
    case 'took':
      return `${by} took the keyboard`;
    case 'asked':
      return `${by} asked ${to ?? 'the holder'} for the keyboard`;
    case 'withdrew':
      return `${by} no longer asks for the keyboard`;
    case 'handed':
      return `${by} handed the keyboard to ${to ?? 'someone'}`;
    case 'released':
      return to ? `${by} let go of the keyboard; ${to}, who asked first, has it now` : `${by} let go of the keyboard; nobody holds it`;
    case 'forced':
      return `${by} took the keyboard from ${from ?? 'its holder'} (admin)`;
    case 'left':
      return to ? `${by} left; ${to}, who asked first, holds the keyboard now` : `${by} left; nobody holds the keyboard`;
  }
}

/** "a", "a and b", "a, b and c". */
function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
