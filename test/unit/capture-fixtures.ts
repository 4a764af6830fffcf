// Shared helpers for the capture tests: temp dirs, options with a controllable clock and a log
// that is kept, waiting for a store's state through onChange (never by sleeping), collecting records.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureOptions, CaptureRecord, CaptureStore } from '../../server/capture/capture-store.js';

/** A fresh temp dir and its removal. */
export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'serialdeck-capture-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Options for a test store: generous limits unless overridden, a manual clock (`clock.now`), log lines kept in `lines`. */
export function testOptions(
  dir: string,
  overrides: Partial<CaptureOptions> = {},
): { options: CaptureOptions; lines: string[]; clock: { now: number } } {
  const lines: string[] = [];
  const clock = { now: 1_700_000_000_000 };
  const options: CaptureOptions = {
    dir,
    segmentMaxBytes: 1024 * 1024,
    segmentMaxAgeMs: 3_600_000,
    retainBytes: 1024 * 1024 * 1024,
    retainAgeMs: Infinity, // records in these tests carry small made-up times
    flushIntervalMs: 60_000, // tests flush explicitly
    log: (line) => lines.push(line),
    now: () => clock.now,
    ...overrides,
  };
  return { options, lines, clock };
}

/** Resolves once `predicate()` holds, checked now and after each onChange; rejects after `deadlineMs`. */
export function waitForStore(store: CaptureStore, predicate: () => boolean, deadlineMs = 10_000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate()) return resolve();
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`capture store: ${what} not reached within ${deadlineMs} ms (state ${JSON.stringify(store.state)})`));
    }, deadlineMs);
    const unsubscribe = store.onChange(() => {
      if (!predicate()) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

/** All items of an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Concatenates byte arrays. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** UTF-8 bytes of a string. */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The data bytes of some records, concatenated. */
export function dataOf(records: readonly CaptureRecord[]): Uint8Array {
  return concat(records.flatMap((r) => (r.kind === 'data' ? [r.bytes] : [])));
}

/** `length` bytes whose values follow from their stream offsets, so any slice can be checked. */
export function patternBytes(offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = ((offset + i) * 31 + 7) & 0xff;
  return out;
}
