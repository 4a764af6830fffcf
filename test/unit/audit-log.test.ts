// The audit log writer: rotation by size and by age, the bounded total, and a real full disk (a
// small tmpfs): it pauses, says so once, drops and counts, and writes again once space is freed.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listAuditFiles } from '../../server/audit/audit-files.js';
import { AuditLog, type AuditGap } from '../../server/audit/audit-log.js';
import { fillDisk, mountSmallDisk, unmountSmallDisk } from '../helpers/small-disk.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'serialdeck-audit-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const line = (i: number): string => JSON.stringify({ i, pad: 'x'.repeat(80) });
const LIMITS = { fileBytes: 1000, fileAgeMs: 60_000, totalBytes: 1_000_000 };

async function linesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const file of await listAuditFiles(dir)) out.push(...(await readFile(file.path, 'utf8')).split('\n').filter((l) => l !== ''));
  return out;
}

describe('AuditLog', () => {
  it('rotates by size: every file within a line of fileBytes, every line kept in order', async () => {
    const dir = await tempDir();
    const log = await AuditLog.open({ dir, limits: LIMITS, log: () => {} });
    for (let i = 0; i < 60; i++) log.append(line(i));
    await log.close();
    const files = await listAuditFiles(dir);
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) expect(file.bytes).toBeLessThan(LIMITS.fileBytes + line(0).length + 1);
    expect(await linesIn(dir)).toEqual(Array.from({ length: 60 }, (_, i) => line(i)));
  });

  it('rotates by age, and begins each file with its header', async () => {
    const dir = await tempDir();
    let now = Date.parse('2025-01-31T09:30:00.000Z');
    const log = await AuditLog.open({ dir, limits: { ...LIMITS, fileBytes: 1_000_000 }, log: () => {}, now: () => now, fileHeader: () => '{"header":true}' });
    log.append(line(1));
    await log.flush();
    now += LIMITS.fileAgeMs - 1;
    log.append(line(2));
    await log.flush();
    now += 1;
    log.append(line(3));
    await log.close();
    const names = await readdir(dir);
    expect(names.sort()).toEqual(['audit-2025-01-31T09-30-00.000Z-0000.ndjson', 'audit-2025-01-31T09-31-00.000Z-0001.ndjson']);
    expect(await linesIn(dir)).toEqual(['{"header":true}', line(1), line(2), '{"header":true}', line(3)]);
  });

  it('keeps the total within totalBytes by deleting the oldest files, never the one being written', async () => {
    const dir = await tempDir();
    const log = await AuditLog.open({ dir, limits: { ...LIMITS, totalBytes: 3000 }, log: () => {} });
    for (let i = 0; i < 200; i++) {
      log.append(line(i));
      if (i % 10 === 9) await log.flush();
    }
    await log.close();
    const files = await listAuditFiles(dir);
    const total = files.reduce((sum, f) => sum + f.bytes, 0);
    expect(total).toBeLessThanOrEqual(3000 + LIMITS.fileBytes + line(0).length);
    const kept = await linesIn(dir);
    expect(kept.at(-1)).toBe(line(199));
    expect(kept.length).toBeLessThan(200);
    // What is kept is the newest, contiguous.
    const first = (JSON.parse(kept[0]!) as { i: number }).i;
    expect(kept).toEqual(Array.from({ length: 200 - first }, (_, k) => line(first + k)));
  });

  it('on a full disk pauses, says so once, counts what it drops, and writes again once space is freed', async () => {
    const disk = await mountSmallDisk(1, 'serialdeck-audit-full-');
    cleanups.push(() => unmountSmallDisk(disk));
    const dir = join(disk, 'audit');
    const said: string[] = [];
    let resumed: (gap: AuditGap) => void = () => {};
    const gapSeen = new Promise<AuditGap>((resolve) => (resumed = resolve));
    let log: AuditLog | null = null;
    log = await AuditLog.open({
      dir,
      limits: LIMITS,
      log: (text) => said.push(text),
      retryMs: 20,
      resumed: (gap) => {
        log?.append('{"resumed":true}');
        resumed(gap);
      },
    });
    cleanups.push(() => log!.close());
    log.append(line(0));
    await log.flush();
    const ballast = await fillDisk(disk);
    // More than the file's last page and a next file: what fits in the page already held is written, the rest dropped.
    for (let i = 1; i <= 30; i++) log.append(line(i));
    await log.flush();
    const paused = { ...log.state };
    if (paused.state !== 'paused') throw new Error(`expected a pause, got ${JSON.stringify(paused)}`);
    expect(paused.dropped).toBeGreaterThan(0);
    const written = 30 - paused.dropped;
    expect(said.filter((s) => s.includes('paused'))).toHaveLength(1);
    expect(said[0]).toMatch(/no space left on device \(ENOSPC\)/);
    log.append(line(31));
    expect(log.state).toMatchObject({ state: 'paused', dropped: paused.dropped + 1 });

    await rm(ballast);
    const gap = await gapSeen;
    log.append(line(32));
    await log.flush();
    expect(log.state).toEqual({ state: 'writing' });
    const kept = await linesIn(dir);
    expect(kept).toEqual([...Array.from({ length: written + 1 }, (_, i) => line(i)), '{"resumed":true}', line(32)]);
    expect(gap.dropped).toBe(paused.dropped + 1);
    // Every line on disk is whole: the torn write was cut off.
    for (const text of kept) expect(() => JSON.parse(text)).not.toThrow();
    expect(said.some((s) => s.includes('writing again'))).toBe(true);
  });
});
