// Typed element lookup: the page's markup and the code that binds it fail loudly when they drift apart.

/** The element with `id`, checked to be an instance of `type`; throws naming the id otherwise. */
export function byId<T extends HTMLElement>(doc: Document, id: string, type: new () => T): T {
  const element = doc.getElementById(id);
  if (!(element instanceof type)) throw new Error(`serialdeck: page is missing #${id} (${type.name})`);
  return element;
}
