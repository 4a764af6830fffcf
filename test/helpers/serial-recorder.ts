// A serial handle whose every message is recorded, with waits that resolve on the message that
// satisfies them (never on a timer): shared by the worker-level integration tests.
import type { Worker } from 'node:worker_threads';
import type { DeviceState, DeviceStatus } from '../../server/wire/protocol.js';
import { createSerialHandle, type SerialHandle } from '../../server/serial/handle.js';
import type { CommandResult, FromWorker, SerialOptions } from '../../server/serial/messages.js';

/** Deadline for any awaited event, in ms: far above what each takes, so only a real failure trips it. */
export const EVENT_TIMEOUT_MS = 15_000;

/** What recordSerial returns. */
export interface SerialRecorder {
  handle: SerialHandle;
  messages: FromWorker[];
  /** Every data byte so far, in order. */
  received(): Uint8Array;
  /** Resolves with probe()'s first defined value, checked now and after every message; rejects after EVENT_TIMEOUT_MS. */
  until<T>(probe: () => T | undefined, what: string): Promise<T>;
  /** The first status of `state` among the messages from index `from` on. */
  statusSince(from: number, state: DeviceState): Promise<DeviceStatus>;
  /** The result for command `id`, once it has come. */
  result(id: number): Promise<CommandResult>;
  /** Every result so far for `id` (exactly one, once answered). */
  results(id: number): CommandResult[];
}

/** Spawns a handle for `path` (defaults for the other options) and records what it sends. */
export function recordSerial(
  path: string,
  options: Partial<SerialOptions> = {},
  onWorker?: (worker: Worker) => void,
): SerialRecorder {
  const messages: FromWorker[] = [];
  const chunks: Uint8Array[] = [];
  const checks = new Set<() => void>();
  const received = () => new Uint8Array(Buffer.concat(chunks)); // a plain Uint8Array, as the worker sends
  const handle = createSerialHandle(
    { path, baudRate: 115200, dtr: true, rts: true, charDelayMs: 0, lineDelayMs: 0, ...options },
    (message) => {
      messages.push(message);
      if (message.type === 'data') chunks.push(message.data);
      for (const check of checks) check();
    },
    onWorker ? { spawned: onWorker } : {},
  );
  const until = <T>(probe: () => T | undefined, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        checks.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        checks.delete(check);
        const output = JSON.stringify(new TextDecoder().decode(received()).slice(-200));
        reject(new Error(`waited for ${what}; status ${JSON.stringify(handle.status)}; output ends ${output}`));
      }, EVENT_TIMEOUT_MS);
      checks.add(check);
      check();
    });
  const results = (id: number) => messages.filter((m): m is CommandResult => m.type === 'result' && m.id === id);
  return {
    handle,
    messages,
    received,
    until,
    results,
    result: (id) => until(() => results(id)[0], `the result of command ${id}`),
    statusSince: (from, state) =>
      until(
        () =>
          messages
            .slice(from)
            .find((m): m is { type: 'status'; status: DeviceStatus } => m.type === 'status' && m.status.state === state)
            ?.status,
        `status ${state}`,
      ),
  };
}
