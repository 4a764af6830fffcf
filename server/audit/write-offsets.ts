// Each port's write offset: how many bytes were ever posted to it (over the server's restarts), so
// every write has a position in the port's written bytes that names it once. Restored at start from
// the newest audit file, which begins with every port's offset and lists the writes after it.
import type { AuditFile } from './audit-files.js';
import { fileLines } from './audit-store.js';

/** Offsets by port id. */
export type WriteOffsets = Map<string, number>;

/** The offsets the newest readable file of `files` (oldest first) ends with; empty when there is none. */
export async function recoverWriteOffsets(files: readonly AuditFile[]): Promise<WriteOffsets> {
  for (let i = files.length - 1; i >= 0; i--) {
    const offsets: WriteOffsets = new Map();
    let lines = 0;
    for await (const line of fileLines(files[i]!)) {
      lines++;
      foldLine(offsets, line);
    }
    if (lines > 0) return offsets;
  }
  return new Map();
}

/** Takes one line's say on the offsets: a file header's or start's list, or a write's end. Lines that do not parse (a torn tail) are skipped. */
function foldLine(offsets: WriteOffsets, line: string): void {
  let entry: { kind?: unknown; port?: unknown; details?: Record<string, unknown> };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return;
  }
  const details = entry.details ?? {};
  if ((entry.kind === 'audit-file' || entry.kind === 'audit-start') && typeof details.writeOffsets === 'object' && details.writeOffsets !== null) {
    for (const [port, offset] of Object.entries(details.writeOffsets as Record<string, unknown>))
      if (typeof offset === 'number') offsets.set(port, Math.max(offsets.get(port) ?? 0, offset));
  } else if (entry.kind === 'write' && typeof entry.port === 'string') {
    const { writeOffset, length } = details;
    if (typeof writeOffset === 'number' && typeof length === 'number')
      offsets.set(entry.port, Math.max(offsets.get(entry.port) ?? 0, writeOffset + length));
  }
}
