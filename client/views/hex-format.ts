// The hex view's rows: offset | 16 bytes in hex | the same bytes as ASCII, as hexdump -C prints
// them. Rows are aligned to stream offsets (a row starts at a multiple of 16), so the offsets read
// the same as a download's `from`/`to` and as any other viewer's. Pure.

/** Bytes per row: hexdump's 16, split 8 + 8. */
export const HEX_ROW_BYTES = 16;

/** One row of the hex view. */
export interface HexRow {
  /** Stream offset of the row's first column (a multiple of 16). */
  offset: number;
  /** The row as text: `00000010  48 65 6c 6c 6f 0d 0a 62  6f 61 72 64 20 73 61 79  |Hello..board say|`. */
  text: string;
}

/** An offset as at least 8 hex digits (more when the stream is past 4 GiB). */
export function formatHexOffset(offset: number): string {
  return offset.toString(16).padStart(8, '0');
}

/** A byte as ASCII: printable characters themselves, anything else '.'. */
export function asciiOf(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
}

/**
 * Rows for `bytes`, which start at stream offset `start`. Columns before `start` in the first row
 * and after the last byte in the last row are blank, so every byte sits under its own offset.
 */
export function hexRows(bytes: Uint8Array, start: number): HexRow[] {
  const rows: HexRow[] = [];
  if (bytes.length === 0) return rows;
  const end = start + bytes.length;
  for (let rowStart = start - (start % HEX_ROW_BYTES); rowStart < end; rowStart += HEX_ROW_BYTES) {
    let hex = '';
    let ascii = '';
    for (let col = 0; col < HEX_ROW_BYTES; col++) {
      const at = rowStart + col;
      if (col === 8) hex += ' ';
      if (at < start || at >= end) {
        hex += '   ';
        ascii += ' ';
      } else {
        const byte = bytes[at - start]!;
        hex += byte.toString(16).padStart(2, '0') + ' ';
        ascii += asciiOf(byte);
      }
    }
    rows.push({ offset: rowStart, text: `${formatHexOffset(rowStart)}  ${hex} |${ascii}|` });
  }
  return rows;
}
