// Main-thread handle on the generator worker: start it priming, say go, await what it wrote.
import { Worker } from 'node:worker_threads';
import { Phase, type GeneratorResult, type GeneratorSettings } from './generator-core.js';
import type { GeneratorReply, GeneratorWorkerData } from './generator-worker.js';

/** A running generator. go() ends priming; result settles when it has written everything. */
export interface Generator {
  go(): void;
  /** Ends generation early (paced or flat out) at the next line boundary. */
  stop(): void;
  readonly result: Promise<GeneratorResult>;
  /** Stops the worker; safe after it finished and safe twice. */
  terminate(): Promise<void>;
}

/** Starts a generator writing priming lines into the board side at `boardPath`. */
export function startGenerator(boardPath: string, settings: GeneratorSettings): Generator {
  const control = new SharedArrayBuffer(4);
  const word = new Int32Array(control);
  const workerData: GeneratorWorkerData = { boardPath, settings, control };
  // The .mjs bootstrap registers tsx in the worker and then loads generator-worker.ts.
  const worker = new Worker(new URL('./generator-worker.mjs', import.meta.url), { workerData });
  const result = new Promise<GeneratorResult>((resolve, reject) => {
    worker.once('message', (reply: GeneratorReply) =>
      reply.ok ? resolve(reply.result) : reject(new Error(reply.error)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`generator worker exited with code ${code}`)));
  });
  result.catch(() => undefined); // observed by the caller; never an unhandled rejection
  const setPhase = (phase: number): void => {
    Atomics.store(word, 0, phase);
    Atomics.notify(word, 0);
  };
  return {
    go: () => setPhase(Phase.go),
    stop: () => setPhase(Phase.stop),
    result,
    terminate: async () => {
      setPhase(Phase.stop);
      await worker.terminate();
    },
  };
}
