// Worker-thread entry for the generator: opens the board side of the pty and runs generate().
import { closeSync, constants, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { generate, type GeneratorResult, type GeneratorSettings } from './generator-core.js';

/** What the main thread passes in workerData. */
export interface GeneratorWorkerData {
  boardPath: string;
  settings: GeneratorSettings;
  control: SharedArrayBuffer;
}

/** What the worker posts back: its result, or why it failed. */
export type GeneratorReply = { ok: true; result: GeneratorResult } | { ok: false; error: string };

const data = workerData as GeneratorWorkerData;
let reply: GeneratorReply;
let fd = -1;
try {
  // Blocking writes on purpose: this thread does nothing else, and a full pty should hold it up.
  fd = openSync(data.boardPath, constants.O_WRONLY | constants.O_NOCTTY);
  reply = { ok: true, result: generate(fd, data.settings, new Int32Array(data.control)) };
} catch (err) {
  reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
} finally {
  if (fd >= 0) closeSync(fd);
}
parentPort?.postMessage(reply);
