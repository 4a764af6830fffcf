// The port picker: a native <select> named "Port" (it fits a phone and works with every keyboard and
// screen reader), with a coloured dot for the shown port's state beside it. A fleet console's ports
// are grouped (<optgroup>) by node, each heading saying whether the node is online.
import { byId } from '../ui/dom.js';
import { portGroups, type PortOption } from './port-options.js';

/** The picker as the app drives it. */
export interface PortPicker {
  /** Lists `options` with `currentId` selected; before the list is known, shows `currentId` alone. */
  show(options: readonly PortOption[], currentId: string | null): void;
}

/** Binds #port (the select) and #port-dot; `choose(id)` is called when the person picks another port. */
export function bindPortPicker(doc: Document, choose: (id: string) => void): PortPicker {
  const select = byId(doc, 'port', HTMLSelectElement);
  const dot = byId(doc, 'port-dot', HTMLElement);
  const field = byId(doc, 'port-field', HTMLElement);
  let shownId: string | null = null;

  select.addEventListener('change', () => {
    if (select.value !== '' && select.value !== shownId) choose(select.value);
  });

  return {
    show(options, currentId) {
      shownId = currentId;
      const known = options.some((o) => o.id === currentId);
      const unknown = { id: currentId ?? '', label: currentId ?? '', detail: currentId ?? '' };
      const entries = known || currentId === null ? options : [unknown, ...options];
      // Headings only when some port is a node's: a server without a fleet keeps its plain list.
      const groups = options.some((o) => o.node !== null) ? portGroups(options) : null;
      const heading = (o: HTMLOptionElement) => (o.parentElement instanceof HTMLOptGroupElement ? o.parentElement.label : '');
      const have = Array.from(select.options, (o) => `${heading(o)}\n${o.value}\n${o.text}\n${o.title}`).join('\n\n');
      const want = (groups ? [...(known || currentId === null ? [] : [{ label: '', options: [unknown] }]), ...groups] : [{ label: '', options: entries }])
        .flatMap((group) => group.options.map((o) => `${group.label}\n${o.id}\n${o.label}\n${o.detail}`))
        .join('\n\n');
      // Rebuild only on change: replacing options under an open native picker would close it.
      if (have !== want) {
        const optionOf = (o: { id: string; label: string; detail: string }) => {
          const option = new Option(o.label, o.id);
          option.title = o.detail;
          return option;
        };
        if (!groups) select.replaceChildren(...entries.map(optionOf));
        else {
          const children: HTMLElement[] = known || currentId === null ? [] : [optionOf(unknown)];
          for (const group of groups) {
            const optgroup = doc.createElement('optgroup');
            optgroup.label = group.label;
            optgroup.append(...group.options.map(optionOf));
            children.push(optgroup);
          }
          select.replaceChildren(...children);
        }
      }
      if (currentId !== null && select.value !== currentId) select.value = currentId;
      const current = options.find((o) => o.id === currentId);
      dot.dataset.tone = current ? current.tone : 'idle';
      dot.dataset.capture = current?.capturePaused ? 'paused' : '';
      field.title = current ? current.detail : 'Port';
      // One port: nothing to pick, but the name stays visible.
      select.disabled = entries.length <= 1;
    },
  };
}
