// Child process for capture-crash.test.ts: appends to a capture in a loop until it is killed.
// Data bytes follow from their offsets (patternBytes), so the parent can check any prefix.
// After each flush it prints "flushed <end>": everything below <end> had reached the OS.
// Usage: node --import tsx capture-crash-writer.ts <dir>

import { CaptureStore } from '../../server/capture/capture-store.js';
import { patternBytes } from '../unit/capture-fixtures.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: capture-crash-writer.ts <dir>');
const store = await CaptureStore.open({
  dir,
  segmentMaxBytes: 256 * 1024, // several rotations per run
  segmentMaxAgeMs: 3_600_000,
  retainBytes: 1024 * 1024 * 1024,
  retainAgeMs: Infinity,
  flushIntervalMs: 5, // many flushes, so the kill often lands near one
  log: (line) => process.stderr.write(line + '\n'),
});
process.stdout.write(`ready ${store.streamId} ${store.resumeOffset}\n`);

let i = 0;
for (;;) {
  const size = 1 + ((i * 7919) % 3000); // uneven sizes: records straddle read-ahead and index strides
  store.appendData(patternBytes(store.end, size), Date.now() + (i % 1000) / 1000);
  if (i % 17 === 0) store.appendWrite(new TextEncoder().encode(`cmd ${i}\r`), Date.now(), 'crash-test');
  if (i % 29 === 0) store.appendEvent({ type: 'tick', i }, Date.now());
  if (i % 50 === 0) {
    await store.flush();
    process.stdout.write(`flushed ${store.flushedEnd}\n`);
  } else await new Promise((resolve) => setImmediate(resolve));
  i++;
}
