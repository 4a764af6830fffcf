// The audit directory's files: one name per file, made from the time it was begun, so listing them in
// name order is listing them in time order, and a download by time can skip whole files.
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** `audit-2025-01-31T09-30-00.123Z-0007.ndjson`: the time its first line was written, then a sequence number. */
const FILE_PATTERN = /^audit-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z)-(\d{4,})\.ndjson$/;

/** One audit file on disk. */
export interface AuditFile {
  name: string;
  path: string;
  /** When it was begun, in ms since the epoch (from its name). */
  startMs: number;
  seq: number;
  bytes: number;
}

/** The name of a file begun at `timeMs`, with sequence number `seq`. */
export function auditFileName(timeMs: number, seq: number): string {
  const stamp = new Date(timeMs).toISOString().replace(/:/g, '-');
  return `audit-${stamp}-${String(seq).padStart(4, '0')}.ndjson`;
}

/** The audit files in `dir`, oldest first (by sequence number, which never goes back); other files are ignored. */
export async function listAuditFiles(dir: string): Promise<AuditFile[]> {
  const files: AuditFile[] = [];
  for (const name of await readdir(dir)) {
    const match = FILE_PATTERN.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    try {
      const info = await stat(path);
      const iso = match[1]!.replace(/T(\d\d)-(\d\d)-(\d\d)/, 'T$1:$2:$3');
      files.push({ name, path, startMs: Date.parse(iso), seq: Number(match[2]), bytes: info.size });
    } catch {
      // deleted meanwhile (retention): not listed
    }
  }
  return files.sort((a, b) => a.seq - b.seq);
}

/** Deletes the oldest files (never `keep`) until the total is at most `totalBytes`; returns those deleted. */
export async function trimAuditFiles(files: readonly AuditFile[], totalBytes: number, keep: string | null): Promise<AuditFile[]> {
  let total = files.reduce((sum, file) => sum + file.bytes, 0);
  const deleted: AuditFile[] = [];
  for (const file of files) {
    if (total <= totalBytes) break;
    if (file.path === keep) continue;
    try {
      await unlink(file.path);
    } catch {
      continue; // gone already, or not ours to delete: counted as kept
    }
    total -= file.bytes;
    deleted.push(file);
  }
  return deleted;
}
