// Names and housekeeping of the files in a capture dir: segment files `seg-<12-digit seq>.cap`,
// each with a sidecar index `seg-<seq>.idx` once sealed, and the meta file. Also the recovery
// scan of a segment whose sidecar is missing (the one being written when the process stopped).

import { open, readdir, readFile, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, TEMP_SUFFIX } from './atomic-file.js';
import { describeError, errorCode } from './fs-errors.js';
import { KIND_DATA, SEGMENT_MAGIC } from './record-codec.js';
import { SegmentCursor } from './segment-reader.js';
import { SegmentIndex } from './segment-index.js';

const SEGMENT_NAME = /^seg-(\d{12})\.cap$/;
const SEQ_DIGITS = 12;

/** The segment file name for sequence number `seq` (sorting by name sorts by age). */
export function segmentFileName(seq: number): string {
  return `seg-${String(seq).padStart(SEQ_DIGITS, '0')}.cap`;
}

/** The sidecar index file name of a segment file. */
export function sidecarFileName(segmentName: string): string {
  return segmentName.replace(/\.cap$/, '.idx');
}

/** Writes a sealed segment's sidecar (atomic; not fsynced: a lost sidecar is rebuilt by a rescan). */
export async function writeSidecar(dir: string, index: SegmentIndex): Promise<void> {
  await writeFileAtomic(join(dir, sidecarFileName(index.fileName)), index.toSidecar(), false);
}

/** Deletes a segment and its sidecar; a file already gone is not an error. */
export async function deleteSegment(dir: string, index: SegmentIndex): Promise<void> {
  for (const name of [index.fileName, sidecarFileName(index.fileName)]) {
    await unlink(join(dir, name)).catch((err: unknown) => {
      if (errorCode(err) !== 'ENOENT') throw err;
    });
  }
}

/**
 * Lists the dir's segments, oldest first, with their indexes: from the sidecar when it is valid,
 * otherwise by scanning the segment (truncating a torn tail, one log line). Removes temp files,
 * orphan sidecars and empty segments. `maxSeq`: the highest sequence number named in the dir
 * (0 if none), so a new segment never reuses a name. Rejects only if the dir itself cannot be read.
 */
export async function loadSegments(
  dir: string,
  log: (line: string) => void,
): Promise<{ segments: SegmentIndex[]; maxSeq: number }> {
  const names = await readdir(dir);
  const present = new Set(names);
  const segments: SegmentIndex[] = [];
  let maxSeq = 0;
  const segmentNames = names.filter((n) => SEGMENT_NAME.test(n)).sort();
  for (const name of names) {
    const orphanSidecar = name.endsWith('.idx') && !present.has(name.replace(/\.idx$/, '.cap'));
    if (name.endsWith(TEMP_SUFFIX) || orphanSidecar) await unlink(join(dir, name)).catch(() => undefined);
  }
  for (const name of segmentNames) {
    const seq = Number(SEGMENT_NAME.exec(name)![1]);
    maxSeq = Math.max(maxSeq, seq);
    const index = await loadSegment(dir, seq, name, log);
    if (index) segments.push(index);
  }
  return { segments, maxSeq };
}

async function loadSegment(
  dir: string,
  seq: number,
  name: string,
  log: (line: string) => void,
): Promise<SegmentIndex | null> {
  const path = join(dir, name);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    log(`capture: ${name}: cannot be read (${describeError(err)}); left out`);
    return null;
  }
  const sidecarText = await readFile(join(dir, sidecarFileName(name)), 'utf8').catch(() => null);
  const fromSidecar = sidecarText === null ? null : SegmentIndex.fromSidecar(seq, name, sidecarText);
  // A file longer than its sidecar says is fine (a write that failed and could not be undone); shorter is not.
  if (fromSidecar && size >= fromSidecar.fileBytes) return fromSidecar;
  let scanned: SegmentIndex | null | 'foreign';
  try {
    scanned = await scanSegment(path, seq, name, size, log);
  } catch (err) {
    log(`capture: ${name}: cannot be read (${describeError(err)}); left out`);
    return null; // left on disk: an I/O error is no reason to delete what may still be readable later
  }
  if (scanned === 'foreign') return null;
  if (scanned === null) {
    await unlink(path).catch(() => undefined);
    await unlink(join(dir, sidecarFileName(name))).catch(() => undefined);
    return null;
  }
  await writeSidecar(dir, scanned).catch(() => undefined); // best effort: next open would rescan
  return scanned;
}

/** Scans a segment, truncating a torn/corrupt tail; null when it holds no record, 'foreign' when it is not a capture segment. */
async function scanSegment(
  path: string,
  seq: number,
  name: string,
  size: number,
  log: (line: string) => void,
): Promise<SegmentIndex | null | 'foreign'> {
  const head = Buffer.alloc(SEGMENT_MAGIC.length);
  let headBytes = 0;
  try {
    const handle = await open(path, 'r');
    try {
      headBytes = (await handle.read(head, 0, head.length, 0)).bytesRead;
    } finally {
      await handle.close();
    }
  } catch (err) {
    log(`capture: ${name}: cannot be read (${describeError(err)}); left out`);
    return 'foreign';
  }
  const magic = Buffer.from(SEGMENT_MAGIC);
  if (headBytes < magic.length) {
    // Created but its header never fully written: a crash right after rotation. Nothing to keep.
    return head.subarray(0, headBytes).equals(magic.subarray(0, headBytes)) ? null : 'foreign';
  }
  if (!head.equals(magic)) {
    log(`capture: ${name}: not a capture segment (bad magic); left alone`);
    return 'foreign';
  }
  const index = new SegmentIndex(seq, name);
  const cursor = await SegmentCursor.open(path, SEGMENT_MAGIC.length, size);
  if (!cursor) return null;
  try {
    for (let rec = await cursor.next(); rec; rec = await cursor.next()) {
      index.note(rec.pos, rec.kind, rec.offset, rec.timeMs, rec.kind === KIND_DATA ? rec.payload.length : 0, rec.size);
    }
  } finally {
    await cursor.close();
  }
  const tornAt = cursor.corruptAt;
  if (tornAt !== null) {
    const outcome = await truncate(path, tornAt).then(
      () => 'truncated',
      (err: unknown) => `could not truncate (${describeError(err)}); reading stops there`,
    );
    log(
      `capture: ${name}: ${outcome} ${size - tornAt} bytes of a torn or corrupt record at byte ${tornAt}; ` +
        `the ${index.records} records before it are intact`,
    );
  }
  return index.records > 0 ? index : null;
}
