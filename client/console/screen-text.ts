// Reads the console's text back out of xterm's buffer: for people (copy all) and for tests.

/** The part of xterm's IBuffer this needs (IBuffer fits). */
export interface BufferLike {
  readonly length: number;
  getLine(y: number): { readonly isWrapped: boolean; translateToString(trimRight?: boolean): string } | undefined;
}

/**
 * All text in `buffer` (scrollback and screen), one device line per output line: rows that xterm wrapped
 * are joined back, trailing spaces and trailing empty rows are dropped.
 */
export function bufferText(buffer: BufferLike): string {
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y);
    if (!line) continue;
    // A wrapped row continues the previous one; trimming is only safe at the logical line's end.
    const next = buffer.getLine(y + 1);
    const text = line.translateToString(!(next?.isWrapped ?? false));
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}
