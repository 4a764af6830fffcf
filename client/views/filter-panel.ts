// The filter editor of the Lines view: one row per filter (on/off, pattern, ignore case, action,
// colour, remove), Add and Save. Save sends the whole list to the server (PUT), which checks it; its
// reason is shown when it refuses. The draft is the page's until saved.
import { FILTER_ACTIONS, FILTER_COLOURS, MAX_FILTER_PATTERN_CHARS, MAX_FILTERS_PER_PORT, type LineFilter } from '../../server/wire/api.js';
import { DisposableStore, type Disposable } from './disposables.js';
import { nextFilterId } from './line-filters.js';

const ACTION_LABELS: Record<LineFilter['action'], string> = { hide: 'Hide', only: 'Show only', highlight: 'Highlight' };

/** What the panel asks of its view. */
export interface FilterPanelDeps {
  /** Saves the list on the server; rejects with the server's reason. */
  save(filters: LineFilter[]): Promise<void>;
}

/** The editor, drawn into `host`. */
export class FilterPanel implements Disposable {
  private draft: LineFilter[] = [];
  private readonly store = new DisposableStore();
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;
  private readonly addButton: HTMLButtonElement;
  /** The draft differs from what the server has. */
  dirty = false;

  constructor(private readonly host: HTMLElement, private readonly deps: FilterPanelDeps) {
    const doc = host.ownerDocument;
    this.list = doc.createElement('div');
    this.list.className = 'filter-list';
    const actions = doc.createElement('div');
    actions.className = 'filter-actions';
    this.addButton = button(doc, 'Add filter', 'filter-add');
    const save = button(doc, 'Save filters', 'filter-save');
    save.classList.add('btn-primary');
    this.status = doc.createElement('span');
    this.status.className = 'filter-status';
    this.status.setAttribute('role', 'status');
    actions.append(this.addButton, save, this.status);
    host.replaceChildren(this.list, actions);
    this.store.listen(this.addButton, 'click', () => {
      this.draft.push({ id: nextFilterId(this.draft.map((f) => f.id)), pattern: '', flags: '', action: 'hide', colour: 'yellow', enabled: true });
      this.edited();
      this.render();
      this.list.querySelector<HTMLInputElement>('.filter-row:last-child .filter-pattern')?.focus();
    });
    this.store.listen(save, 'click', () => void this.save());
  }

  /** Shows the server's list (unless the person is editing a draft, which `force` overrides). */
  show(filters: readonly LineFilter[], force = false): void {
    if (this.dirty && !force) return;
    this.draft = filters.map((f) => ({ ...f }));
    this.dirty = false;
    this.render();
  }

  /** A note under the list (where filters are kept, or why a save failed). */
  setStatus(text: string, tone: 'ok' | 'error' | 'info' = 'info'): void {
    this.status.textContent = text;
    this.status.dataset.tone = tone;
  }

  private edited(): void {
    this.dirty = true;
    this.setStatus('Not saved yet.', 'info');
  }

  private async save(): Promise<void> {
    const empty = this.draft.findIndex((f) => f.pattern === '');
    if (empty >= 0) return this.setStatus(`Filter ${empty + 1} has no pattern.`, 'error');
    this.setStatus('Saving…');
    try {
      await this.deps.save(this.draft.map((f) => ({ ...f })));
      this.dirty = false;
    } catch (err) {
      this.setStatus(`Not saved: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  private render(): void {
    const doc = this.host.ownerDocument;
    this.addButton.disabled = this.draft.length >= MAX_FILTERS_PER_PORT;
    const rows = this.draft.map((filter, index) => {
      const row = doc.createElement('div');
      row.className = 'filter-row';
      row.dataset.id = filter.id;
      const enabled = input(doc, 'checkbox', 'filter-enabled', `Filter ${index + 1} on`);
      enabled.checked = filter.enabled;
      enabled.addEventListener('change', () => {
        filter.enabled = enabled.checked;
        this.edited();
      });
      const pattern = input(doc, 'text', 'filter-pattern', `Filter ${index + 1} pattern (a regular expression)`);
      pattern.value = filter.pattern;
      pattern.placeholder = 'regular expression';
      pattern.maxLength = MAX_FILTER_PATTERN_CHARS;
      pattern.spellcheck = false;
      pattern.addEventListener('input', () => {
        filter.pattern = pattern.value;
        let problem = '';
        try {
          new RegExp(pattern.value, filter.flags);
        } catch (err) {
          problem = err instanceof Error ? err.message : String(err);
        }
        pattern.setCustomValidity(problem);
        pattern.title = problem;
        this.edited();
      });
      const caseLabel = doc.createElement('label');
      caseLabel.className = 'filter-case';
      const ignoreCase = input(doc, 'checkbox', 'filter-ignore-case', `Filter ${index + 1} ignores case`);
      ignoreCase.checked = filter.flags === 'i';
      ignoreCase.addEventListener('change', () => {
        filter.flags = ignoreCase.checked ? 'i' : '';
        this.edited();
      });
      caseLabel.append(ignoreCase, doc.createTextNode('Aa'));
      caseLabel.title = 'Ignore case';
      const action = select(doc, 'filter-action', `Filter ${index + 1} action`, FILTER_ACTIONS.map((a) => [a, ACTION_LABELS[a]]), filter.action);
      action.addEventListener('change', () => {
        filter.action = action.value as LineFilter['action'];
        this.edited();
      });
      const colour = select(doc, 'filter-colour', `Filter ${index + 1} colour`, FILTER_COLOURS.map((c) => [c, c]), filter.colour);
      colour.dataset.colour = filter.colour;
      colour.addEventListener('change', () => {
        filter.colour = colour.value as LineFilter['colour'];
        colour.dataset.colour = filter.colour;
        this.edited();
      });
      const remove = button(doc, '×', 'filter-remove');
      remove.setAttribute('aria-label', `Remove filter ${index + 1}`);
      remove.addEventListener('click', () => {
        this.draft = this.draft.filter((f) => f !== filter);
        this.edited();
        this.render();
      });
      row.append(enabled, pattern, caseLabel, action, colour, remove);
      return row;
    });
    if (rows.length === 0) {
      const none = doc.createElement('p');
      none.className = 'filter-none';
      none.textContent = 'No filters: every line shows.';
      this.list.replaceChildren(none);
    } else this.list.replaceChildren(...rows);
  }

  dispose(): void {
    this.store.dispose();
    this.host.replaceChildren();
  }
}

function button(doc: Document, text: string, className: string): HTMLButtonElement {
  const b = doc.createElement('button');
  b.type = 'button';
  b.className = `btn ${className}`;
  b.textContent = text;
  return b;
}

function input(doc: Document, type: string, className: string, label: string): HTMLInputElement {
  const i = doc.createElement('input');
  i.type = type;
  i.className = className;
  i.setAttribute('aria-label', label);
  return i;
}

function select(doc: Document, className: string, label: string, options: Array<[string, string]>, value: string): HTMLSelectElement {
  const s = doc.createElement('select');
  s.className = className;
  s.setAttribute('aria-label', label);
  for (const [v, text] of options) s.append(new Option(text, v));
  s.value = value;
  return s;
}
