// The demo board's input side, like a terminal's cooked mode: it echoes what it receives so
// every browser watching sees what was typed (line mode sends whole lines, raw mode sends
// keystrokes; both end up looking the same), edits the pending line, and hands over whole lines.

/** Longest input line kept, in bytes: the size of a typical sketch's command buffer; extra bytes are refused with a bell. */
export const DEMO_LINE_MAX_BYTES = 256;

const BS = 0x08;
const DEL = 0x7f;
const CR = 0x0d;
const LF = 0x0a;
const ETX = 0x03; // Ctrl+C
const ESC = 0x1b;
const BELL = 0x07;

/** What the discipline tells its board, in the order the bytes were received. */
export interface LineDisciplineEvents {
  /** Bytes to send back so the typist sees them. */
  echo(bytes: Uint8Array): void;
  /** A whole line arrived (CR, LF or CRLF ended it, once); `line` excludes the ending. */
  line(line: Uint8Array): void;
  /** Ctrl+C: the pending line was discarded. */
  interrupt(): void;
}

/** Cooked-mode input processing for one board; feed it received bytes. */
export class LineDiscipline {
  private pending: number[] = [];
  private afterCr = false;
  /** Inside an escape sequence (arrow keys in raw mode): swallowed, not echoed as text. */
  private escape: 'none' | 'esc' | 'csi' | 'ss3' = 'none';

  /** `events` are called synchronously from feed(), in input order. */
  constructor(private readonly events: LineDisciplineEvents) {}

  /** The line typed so far (to redraw it after the board prints something). */
  get pendingLine(): Uint8Array {
    return Uint8Array.from(this.pending);
  }

  /** Forgets the pending line (the board rebooted). */
  reset(): void {
    this.pending = [];
    this.afterCr = false;
    this.escape = 'none';
  }

  /** Processes received bytes. */
  feed(bytes: Uint8Array): void {
    const echo: number[] = [];
    const flushEcho = () => {
      if (echo.length > 0) this.events.echo(Uint8Array.from(echo.splice(0)));
    };
    for (const byte of bytes) {
      const afterCr = this.afterCr;
      this.afterCr = false;
      if (this.escape !== 'none') {
        this.skipEscape(byte);
        continue;
      }
      if (byte === LF && afterCr) continue; // the LF of a CRLF: the CR already ended the line
      if (byte === CR || byte === LF) {
        this.afterCr = byte === CR;
        echo.push(CR, LF);
        flushEcho();
        this.events.line(Uint8Array.from(this.pending));
        this.pending = [];
      } else if (byte === BS || byte === DEL) {
        if (this.eraseCodePoint()) echo.push(BS, 0x20, BS);
      } else if (byte === ETX) {
        flushEcho();
        this.pending = [];
        this.events.interrupt();
      } else if (byte === ESC) {
        this.escape = 'esc';
      } else if (byte >= 0x20 || byte === 0x09) {
        // Printable ASCII, tab, and UTF-8 bytes (>= 0x80) are kept and echoed as they came.
        if (this.pending.length >= DEMO_LINE_MAX_BYTES) echo.push(BELL);
        else {
          this.pending.push(byte);
          echo.push(byte);
        }
      }
      // Other control bytes are ignored, as a shell would.
    }
    flushEcho();
  }

  /** Removes the last code point (all its UTF-8 bytes); false if the line was empty. */
  private eraseCodePoint(): boolean {
    if (this.pending.length === 0) return false;
    let byte = this.pending.pop();
    while (byte !== undefined && (byte & 0xc0) === 0x80 && this.pending.length > 0) byte = this.pending.pop();
    return true;
  }

  private skipEscape(byte: number): void {
    if (this.escape === 'esc') this.escape = byte === 0x5b ? 'csi' : byte === 0x4f ? 'ss3' : 'none';
    else if (this.escape === 'ss3') this.escape = 'none';
    else if (byte >= 0x40 && byte <= 0x7e) this.escape = 'none'; // CSI final byte
  }
}
