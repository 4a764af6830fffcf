// Disposables in the xterm.js addon style: a view keeps every listener, timer and socket it opens as
// one of these, so dispose() undoes all of it, once, in reverse order.

/** Something that can be undone once; a second dispose() does nothing. */
export interface Disposable {
  dispose(): void;
}

/** A disposable that runs `undo` the first time it is disposed. */
export function toDisposable(undo: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      undo();
    },
  };
}

/** Collects disposables and disposes them all, newest first. Adding to a disposed store disposes at once. */
export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposedFlag = false;

  get disposed(): boolean {
    return this.disposedFlag;
  }

  /** Keeps `item` until dispose(); returns it. */
  add<T extends Disposable>(item: T): T {
    if (this.disposedFlag) item.dispose();
    else this.items.push(item);
    return item;
  }

  /** Adds `type` listener to `target`, removed on dispose. */
  listen<K extends string>(target: EventTarget, type: K, listener: (event: Event) => void, options?: AddEventListenerOptions): void {
    target.addEventListener(type, listener, options);
    this.add(toDisposable(() => target.removeEventListener(type, listener, options)));
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    const items = this.items.splice(0).reverse();
    for (const item of items) item.dispose();
  }
}
