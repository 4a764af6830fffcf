// A real crash: a child process appends to a capture in a loop and is SIGKILLed mid-stream.
// Opening the dir afterwards must find every record intact, the data a prefix of what was
// written (byte for byte), everything the child saw flushed still there, and resume past the
// reserved mark so no offset is reused.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { CAPTURE_RECOVERY_EVENT, CaptureStore } from '../../server/capture/capture-store.js';
import { patternBytes, tempDir, testOptions } from '../unit/capture-fixtures.js';

const WRITER = fileURLToPath(new URL('./capture-crash-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KILL_AFTER_BYTES = 3 * 1024 * 1024; // past several segment rotations and one raise of the reserved mark
const DEADLINE_MS = 30_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Runs the writer until it reports `bytes` flushed, SIGKILLs it, and returns the last flushed end it reported. */
async function runAndKill(dir: string, bytes: number): Promise<{ flushed: number; streamId: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  let flushed = 0;
  let streamId = '';
  const reached = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`writer did not flush ${bytes} bytes in ${DEADLINE_MS} ms; stderr: ${stderr}`)), DEADLINE_MS);
    void exited.then((how) => reject(new Error(`writer exited early (${String(how)}); stderr: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [word, value] = line.split(' ');
      if (word === 'ready') streamId = value!;
      if (word !== 'flushed') return;
      flushed = Number(value);
      if (flushed >= bytes) {
        clearTimeout(timer);
        child.kill('SIGKILL'); // mid-stream: appends and writes are still going on
        resolve();
      }
    });
  });
  try {
    await reached;
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  return { flushed, streamId };
}

describe('capture after kill -9 of the writing process', () => {
  it('recovers every record intact, the data a prefix of what was written, and skips to the reserved mark', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const { flushed, streamId } = await runAndKill(tmp.dir, KILL_AFTER_BYTES);

    const { options, lines } = testOptions(tmp.dir, { now: Date.now });
    const store = await CaptureStore.open(options);
    cleanups.push(() => store.close());
    expect(store.streamId).toBe(streamId);
    expect(lines.filter((l) => l.includes('torn or corrupt')).length).toBeLessThanOrEqual(1);
    expect(store.lostOnOpen).not.toBeNull();
    const { from: capturedEnd, to: resumeAt } = store.lostOnOpen!;
    expect(capturedEnd).toBeGreaterThanOrEqual(flushed); // nothing that reached the OS was lost
    expect(resumeAt).toBe(store.resumeOffset);
    expect(resumeAt).toBeGreaterThan(capturedEnd);

    // Every record reads back (the reader checks each checksum and stops at a bad one), in order,
    // the data contiguous from 0 and equal to the pattern the writer produced.
    let next = 0;
    let writes = 0;
    let ticks = 0;
    let lastOffset = 0;
    for await (const r of store.records(0, Infinity)) {
      expect(r.offset).toBeGreaterThanOrEqual(lastOffset);
      lastOffset = r.offset;
      if (r.kind === 'data') {
        expect(r.offset).toBe(next);
        expect(r.bytes).toEqual(patternBytes(r.offset, r.bytes.length));
        next += r.bytes.length;
      } else if (r.kind === 'write') {
        expect(r.source).toBe('crash-test');
        expect(new TextDecoder().decode(r.bytes)).toMatch(/^cmd \d+\r$/);
        writes++;
      } else if (r.event.type === 'tick') ticks++;
      else expect(r.event).toMatchObject({ type: CAPTURE_RECOVERY_EVENT, from: capturedEnd, to: resumeAt });
    }
    expect(next).toBe(capturedEnd);
    expect(writes).toBeGreaterThan(0);
    expect(ticks).toBeGreaterThan(0);
    expect(store.stats.segments).toBeGreaterThan(5);

    // Offsets already possibly delivered are never reused: new data continues at the mark.
    store.appendData(Uint8Array.of(1, 2, 3), Date.now());
    await store.flush();
    const after = await store.readData(capturedEnd, 10);
    expect(after.offset).toBe(resumeAt);
    expect(Array.from(after.chunks[0]!)).toEqual([1, 2, 3]);
  });
});
