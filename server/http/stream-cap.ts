// A count of long-lived responses (Server-Sent Events streams) held open at once, with a ceiling, so
// a LAN client opening stream after stream cannot hold the server's sockets and feeds without end.

/** Counts open streams up to `max`; each one taken is given back exactly once. */
export class StreamCap {
  private open = 0;

  constructor(readonly max: number) {}

  /** Streams open now. */
  get count(): number {
    return this.open;
  }

  /** Takes a place: returns the function that gives it back (idempotent), or null when all `max` are taken. */
  take(): (() => void) | null {
    if (this.open >= this.max) return null;
    this.open++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.open--;
    };
  }
}
