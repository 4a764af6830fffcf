// Line mode's input box: Enter sends the line, ↑/↓ walk the history, like the Arduino serial monitor.
// A pasted block keeps its line breaks (shown as ␤, see paste-lines.ts) and Enter sends it line by line.
import { byId } from '../ui/dom.js';
import { hasLineBreak, LINE_BREAK_MARK, markLineBreaks, splitLines } from './paste-lines.js';
import type { LineHistory } from './history.js';
import type { InputMode } from '../ui/preferences.js';

/** What the input asks of the app. */
export interface LineInputActions {
  /**
   * Sends `lines` (each without its ending; several when a pasted block is entered); false when they
   * could not be sent, so the text stays in the box.
   */
  sendLines(lines: string[]): boolean;
  setLocalEcho(on: boolean): void;
  setHexInput(on: boolean): void;
}

/** The input bar as the app drives it. */
export interface LineInput {
  focus(): void;
  /** Types `text` into the box at the caret and focuses it (keys pressed or text pasted while the console had focus). */
  insertText(text: string): void;
  /**
   * Puts `lines` back into the box after the server refused them (bug 5), unless the person has typed
   * something new meanwhile. True when they were put back.
   */
  restore(lines: string[]): boolean;
  /** Shows the input in line mode, and the raw-mode hint in raw mode. */
  setMode(mode: InputMode): void;
  /** Disables typing with a visible note when the server is read-only. */
  setReadOnly(readOnly: boolean): void;
  /** Disables typing for now, `reason` in the box (someone else holds a single-writer port's keyboard); null: typing allowed. */
  setBlocked(reason: string | null): void;
  setLocalEcho(on: boolean): void;
  /** Ticks the Hex box, and says in the box's placeholder what to type. */
  setHexInput(on: boolean): void;
}

/** Binds #line-form, #line-input, #send, #local-echo, #hex-input and the hints to `history` and `actions`. */
export function bindLineInput(doc: Document, history: LineHistory, actions: LineInputActions): LineInput {
  const form = byId(doc, 'line-form', HTMLFormElement);
  const input = byId(doc, 'line-input', HTMLInputElement);
  const send = byId(doc, 'send', HTMLButtonElement);
  const localEcho = byId(doc, 'local-echo', HTMLInputElement);
  const echoField = byId(doc, 'local-echo-field', HTMLElement);
  const hexInput = byId(doc, 'hex-input', HTMLInputElement);
  const hexField = byId(doc, 'hex-input-field', HTMLElement);
  const rawHint = byId(doc, 'raw-hint', HTMLElement);
  const readOnlyNote = byId(doc, 'read-only-note', HTMLElement);
  const sendFileField = byId(doc, 'send-file-field', HTMLElement);
  let mode: InputMode = 'line';
  let readOnly = false;
  let blocked: string | null = null;

  const replaceWith = (text: string | null): void => {
    if (text === null) return;
    input.value = text;
    // Caret to the end, as a shell does; after the browser's own caret move for the arrow key.
    input.setSelectionRange(text.length, text.length);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (readOnly || blocked !== null) return;
    const text = input.value;
    if (!actions.sendLines(splitLines(text))) return;
    history.add(text);
    input.value = '';
  });
  // A paste with line breaks would lose them in a one-line input: keep them as marks instead.
  input.addEventListener('paste', (event) => {
    const text = event.clipboardData?.getData('text/plain') ?? '';
    if (!hasLineBreak(text)) return;
    event.preventDefault();
    insert(text);
  });
  input.addEventListener('keydown', (event) => {
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key === 'ArrowUp') {
      event.preventDefault();
      replaceWith(history.previous(input.value));
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      replaceWith(history.next());
    }
  });
  // Editing a recalled line makes it a new draft: the next ↑ starts again from the newest entry.
  input.addEventListener('input', () => history.reset());
  localEcho.addEventListener('change', () => actions.setLocalEcho(localEcho.checked));
  hexInput.addEventListener('change', () => {
    actions.setHexInput(hexInput.checked);
    render();
  });

  const insert = (text: string): void => {
    const marked = hasLineBreak(text) ? markLineBreaks(text) : text;
    input.setRangeText(marked, input.selectionStart ?? input.value.length, input.selectionEnd ?? input.value.length, 'end');
    history.reset();
  };

  const render = (): void => {
    const line = mode === 'line';
    form.hidden = !line;
    echoField.hidden = hexField.hidden = !line || readOnly;
    rawHint.hidden = line || readOnly;
    readOnlyNote.hidden = !readOnly;
    sendFileField.hidden = readOnly;
    input.disabled = send.disabled = readOnly || blocked !== null;
    const prompt = hexInput.checked ? 'Bytes in hex, e.g. 48 69 0D 0A (↑ for history)' : 'Type a command (↑ for history)';
    input.placeholder = readOnly ? 'read-only: typing is disabled' : (blocked ?? prompt);
    input.title = blocked ?? '';
  };
  render();

  return {
    focus() {
      input.focus();
    },
    insertText(text) {
      if (input.disabled) return;
      input.focus();
      insert(text);
    },
    restore(lines) {
      if (input.disabled || input.value !== '') return false;
      input.value = lines.join(LINE_BREAK_MARK);
      input.setSelectionRange(input.value.length, input.value.length);
      return true;
    },
    setMode(next) {
      mode = next;
      render();
    },
    setReadOnly(next) {
      readOnly = next;
      render();
    },
    setBlocked(reason) {
      if (reason === blocked) return;
      blocked = reason;
      render();
    },
    setLocalEcho(on) {
      localEcho.checked = on;
    },
    setHexInput(on) {
      hexInput.checked = on;
      render();
    },
  };
}
