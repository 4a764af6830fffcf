// Words for the who-list and the page's own name: each person's row, "since when", and the name a
// token-less page keeps in localStorage (sent as `?name=` on its WebSocket). Pure, for unit tests.
import { cleanDisplayName, type WhoEntry } from '../../server/wire/protocol.js';
import type { KeyValueStore } from '../ui/storage.js';

/** Where the page keeps the name it goes by when it has no token. */
export const DISPLAY_NAME_KEY = 'serialdeck.name';
/** Set once the person dismissed the question: the page asks only once. */
export const NAME_ASKED_KEY = 'serialdeck.name-asked';

/** One row of the who-list. */
export interface WhoRow {
  id: string;
  /** The name, with "(you)" on this page's own row. */
  name: string;
  role: string;
  /** "since 14:02", or "since 3 Nov 14:02" when not today. */
  since: string;
  holdsKeyboard: boolean;
}

/** Rows for `people`, this page (`me`) first, then in order of arrival. */
export function whoRows(people: readonly WhoEntry[], me: string | null, nowMs: number): WhoRow[] {
  const rows = people.map((p) => ({
    id: p.id,
    name: p.id === me ? `${p.name} (you)` : p.name,
    role: p.role,
    since: sinceLabel(p.since, nowMs),
    holdsKeyboard: p.holdsKeyboard === true,
  }));
  return [...rows.filter((r) => r.id === me), ...rows.filter((r) => r.id !== me)];
}

/** "since 14:02" (local time) today; "since 3 Nov 14:02" before today. */
export function sinceLabel(sinceMs: number, nowMs: number): string {
  const since = new Date(sinceMs);
  const now = new Date(nowMs);
  const time = `${pad(since.getHours())}:${pad(since.getMinutes())}`;
  const sameDay = since.getFullYear() === now.getFullYear() && since.getMonth() === now.getMonth() && since.getDate() === now.getDate();
  return sameDay ? `since ${time}` : `since ${since.getDate()} ${MONTHS[since.getMonth()]} ${time}`;
}

/** The toggle's label: how many are here, and who holds the keyboard. */
export function whoSummary(people: readonly WhoEntry[]): string {
  const holder = people.find((p) => p.holdsKeyboard);
  const here = `${people.length} ${people.length === 1 ? 'person' : 'people'} here`;
  return holder ? `${here}; ${holder.name} holds the keyboard` : here;
}

/** True when hello's name says this page came in without a token (the server then takes its `?name=`). */
export function isAnonymousName(name: string | undefined): boolean {
  return name === 'anonymous' || (name?.endsWith(' (anonymous)') ?? false);
}

/** The name this page goes by without a token ('' when none was given). */
export function loadDisplayName(store: KeyValueStore): string {
  return cleanDisplayName(store.getItem(DISPLAY_NAME_KEY) ?? '');
}

/** Keeps `name` (cleaned as the server will) and remembers that the question was answered; returns what was kept. */
export function saveDisplayName(store: KeyValueStore, name: string): string {
  const clean = cleanDisplayName(name);
  store.setItem(DISPLAY_NAME_KEY, clean);
  store.setItem(NAME_ASKED_KEY, '1');
  return clean;
}

/** Ask for a name? Only without a token, without a name, not dismissed before, and once someone else is here (a name matters then). */
export function shouldAskName(store: KeyValueStore, helloName: string | undefined, people: number): boolean {
  return isAnonymousName(helloName) && loadDisplayName(store) === '' && store.getItem(NAME_ASKED_KEY) === null && people >= 2;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
