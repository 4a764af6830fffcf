// Multi-line text in line mode. The line input is one <input>, which would turn a pasted newline into
// nothing (bug: `G28\nG1 X10\n` became `G28G1 X10`), so a paste keeps its line breaks as a visible
// marker (␤) that Enter splits on again: the person sees what will go out, one line per line.

/** Stands for a line break inside the one-line input: U+2424 SYMBOL FOR NEWLINE, which nobody types by accident. */
export const LINE_BREAK_MARK = '\u2424';

/** Any line break a clipboard may hold: CRLF (Windows), LF, or a lone CR (old Macs, some terminals). */
const BREAKS = /\r\n|\r|\n/;

/** True when `text` holds a line break (or the input's marker for one). */
export function hasLineBreak(text: string): boolean {
  return BREAKS.test(text) || text.includes(LINE_BREAK_MARK);
}

/**
 * The lines of `text`, split at every line break or marker. One trailing break ends the last line
 * rather than adding an empty one (a copied block usually ends with a newline); an empty text is one
 * empty line (Enter on an empty input sends just the ending, as before).
 */
export function splitLines(text: string): string[] {
  const lines = text.split(new RegExp(`${BREAKS.source}|${LINE_BREAK_MARK}`));
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `text` as the line input holds it: each line break as LINE_BREAK_MARK; one trailing break is dropped (Enter ends it). */
export function markLineBreaks(text: string): string {
  return splitLines(text).join(LINE_BREAK_MARK);
}
