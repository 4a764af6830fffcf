// How the page's popovers close, written once: like a menu, on Escape (focus back to the control
// that opened it) and on a pointer press anywhere outside it.

/** What dismissMenuOn needs of one popover. */
export interface Dismissable {
  /** The popover and the control that opens it: a press inside this is not "outside". */
  container: HTMLElement;
  /** Where focus returns after Escape. */
  opener: HTMLElement;
  isOpen(): boolean;
  close(): void;
}

/** Closes `menu` on Escape inside it and on a pointer press outside it, in `doc`. */
export function dismissMenuOn(doc: Document, menu: Dismissable): void {
  menu.container.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !menu.isOpen()) return;
    menu.close();
    menu.opener.focus();
  });
  doc.addEventListener('pointerdown', (event) => {
    if (menu.isOpen() && event.target instanceof Node && !menu.container.contains(event.target)) menu.close();
  });
}
