// Worker bootstrap: Node 20 does not run a worker's .ts entry through the parent's tsx loader,
// so the worker registers tsx itself, then loads the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./generator-worker.ts');
