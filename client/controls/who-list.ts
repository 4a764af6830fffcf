// Who is here: the people count in the toolbar opens a list of everyone on this port (name, role,
// since when, who holds the keyboard). A token-less page can set the name others see, in the list or
// in a one-time question once someone else is here; the name is kept in localStorage.
import type { WhoEntry } from '../../server/wire/protocol.js';
import { byId } from '../ui/dom.js';
import type { KeyValueStore } from '../ui/storage.js';
import { isAnonymousName, loadDisplayName, NAME_ASKED_KEY, saveDisplayName, shouldAskName, whoRows, whoSummary } from './who-format.js';
import { dismissMenuOn } from '../ui/menu-dismiss.js';

/** What the who-list asks of the app. */
export interface WhoListActions {
  /** The page's name changed (already stored): reconnect so the server uses it. */
  renamed(name: string): void;
}

/** The who-list as the app drives it. */
export interface WhoList {
  /** The port's people, this page's id, and hello's name (which says whether this page has a token). */
  show(people: readonly WhoEntry[], me: string | null, helloName: string | undefined, nowMs: number): void;
  /** Forgets the list (disconnected, or another port). */
  clear(): void;
}

/** Binds #clients (the toggle), #who-menu, #who-list, #who-name-form and the #name-ask strip. */
export function bindWhoList(doc: Document, store: KeyValueStore, actions: WhoListActions): WhoList {
  const toggle = byId(doc, 'clients', HTMLElement);
  const panel = byId(doc, 'who-menu', HTMLElement);
  const list = byId(doc, 'who-list', HTMLUListElement);
  const nameForm = byId(doc, 'who-name-form', HTMLFormElement);
  const nameInput = byId(doc, 'who-name', HTMLInputElement);
  const ask = byId(doc, 'name-ask', HTMLFormElement);
  const askInput = byId(doc, 'name-ask-input', HTMLInputElement);
  const container = toggle.parentElement ?? panel;

  const setOpen = (open: boolean): void => {
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open && !nameForm.hidden && nameInput.value === '') nameInput.value = loadDisplayName(store);
  };
  toggle.addEventListener('click', () => setOpen(panel.hidden));
  dismissMenuOn(doc, { container, opener: toggle, isOpen: () => !panel.hidden, close: () => setOpen(false) });

  const rename = (value: string): void => {
    const name = saveDisplayName(store, value);
    ask.hidden = true;
    actions.renamed(name);
  };
  nameForm.addEventListener('submit', (event) => {
    event.preventDefault();
    rename(nameInput.value);
    setOpen(false);
  });
  ask.addEventListener('submit', (event) => {
    event.preventDefault();
    if (askInput.value.trim() !== '') rename(askInput.value);
  });
  byId(doc, 'name-ask-dismiss', HTMLButtonElement).addEventListener('click', () => {
    store.setItem(NAME_ASKED_KEY, '1'); // asked once: the list's name field stays for later
    ask.hidden = true;
  });

  return {
    show(people, me, helloName, nowMs) {
      const rows = whoRows(people, me, nowMs);
      list.replaceChildren(
        ...rows.map((row) => {
          const item = doc.createElement('li');
          item.className = 'who-row';
          item.dataset.id = row.id;
          const name = doc.createElement('span');
          name.className = 'who-name';
          name.textContent = row.name;
          const role = doc.createElement('span');
          role.className = 'who-role';
          role.dataset.role = row.role;
          role.textContent = row.role;
          const since = doc.createElement('span');
          since.className = 'who-since';
          since.textContent = row.since;
          item.append(name, role, since);
          if (row.holdsKeyboard) {
            const keyboard = doc.createElement('span');
            keyboard.className = 'who-keyboard';
            keyboard.textContent = 'holds the keyboard';
            item.append(keyboard);
          }
          return item;
        }),
      );
      toggle.title = whoSummary(people);
      nameForm.hidden = !isAnonymousName(helloName);
      if (shouldAskName(store, helloName, people.length) && ask.hidden) ask.hidden = false;
    },
    clear() {
      list.replaceChildren();
      ask.hidden = true;
    },
  };
}
