// The keyboard control beside the input on a single-writer port: who holds it, and the buttons this
// page may use (Ask for keyboard / Withdraw request, Hand over to …, Release, Take (admin)).
// keyboard-view.ts decides what shows; this only draws it and reports clicks.
import { byId } from '../ui/dom.js';
import type { KeyboardView } from './keyboard-view.js';

/** What the control asks of the app: the keyboard messages to send. */
export interface KeyboardActions {
  request(): void;
  release(): void;
  grant(to: string): void;
  take(): void;
}

/** The control as the app drives it. */
export interface KeyboardControl {
  /** Shows `view`; null hides the control (a shared port, or not connected). */
  show(view: KeyboardView | null): void;
}

/** The first option of the hand-over list, which is not a person. */
const GRANT_PROMPT = '';

/** Binds #keyboard, #keyboard-text, #keyboard-ask, #keyboard-grant, #keyboard-release and #keyboard-take to `actions`. */
export function bindKeyboardControl(doc: Document, actions: KeyboardActions): KeyboardControl {
  const bar = byId(doc, 'keyboard', HTMLElement);
  const text = byId(doc, 'keyboard-text', HTMLElement);
  const ask = byId(doc, 'keyboard-ask', HTMLButtonElement);
  const grant = byId(doc, 'keyboard-grant', HTMLSelectElement);
  const release = byId(doc, 'keyboard-release', HTMLButtonElement);
  const take = byId(doc, 'keyboard-take', HTMLButtonElement);
  let askAction: 'request' | 'release' = 'request';

  ask.addEventListener('click', () => (askAction === 'request' ? actions.request() : actions.release()));
  release.addEventListener('click', () => actions.release());
  take.addEventListener('click', () => actions.take());
  grant.addEventListener('change', () => {
    const to = grant.value;
    grant.value = GRANT_PROMPT; // back to the prompt: the next `keyboard` message says whether it happened
    if (to !== GRANT_PROMPT) actions.grant(to);
  });

  return {
    show(view) {
      bar.hidden = view === null;
      if (view === null) return;
      if (text.textContent !== view.text) text.textContent = view.text;
      bar.dataset.mine = String(view.release);
      ask.hidden = view.ask === null;
      if (view.ask) {
        askAction = view.ask.action;
        ask.textContent = view.ask.label;
      }
      take.hidden = !view.take;
      release.hidden = !view.release;
      grant.hidden = view.grant.length === 0;
      const wanted = [GRANT_PROMPT, ...view.grant.map((g) => g.id)];
      if (Array.from(grant.options, (o) => o.value).join('\n') !== wanted.join('\n'))
        grant.replaceChildren(new Option('Hand over to …', GRANT_PROMPT), ...view.grant.map((g) => new Option(g.label, g.id)));
      // Labels can change for the same ids (someone asked): keep them current.
      view.grant.forEach((g, i) => {
        const option = grant.options[i + 1];
        if (option && option.text !== g.label) option.text = g.label;
      });
    },
  };
}
