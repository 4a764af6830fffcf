// Reading data records back from the capture for a reader with its own cursor: the part of each
// record that lies in [cursor, to), written once for the line reader and the per-client replay.

/** The part of a data record at `offset` within [cursor, to); null when it lies wholly before the cursor, 'end' when it starts at or past `to`. */
export function clipData(
  bytes: Uint8Array,
  offset: number,
  cursor: number,
  to: number,
): { bytes: Uint8Array; offset: number } | null | 'end' {
  if (offset + bytes.byteLength <= cursor) return null;
  if (offset < cursor) {
    bytes = bytes.subarray(cursor - offset);
    offset = cursor;
  }
  if (offset >= to) return 'end';
  if (offset + bytes.byteLength > to) bytes = bytes.subarray(0, to - offset);
  return { bytes, offset };
}
