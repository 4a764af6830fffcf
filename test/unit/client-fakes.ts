// Hand-written fakes shared by the client unit tests: a Map-backed store, hand-driven timers, port summaries.
import type { PortSummary } from '../../server/wire/api.js';
import type { DeviceState } from '../../server/wire/protocol.js';
import type { KeyValueStore } from '../../client/ui/storage.js';
import type { TimerHandle, Timers } from '../../client/ui/timers.js';

/** A KeyValueStore over a Map, exposing the Map so tests can look inside. */
export function memoryStore(initial: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
  };
}

/** Timers whose clock only moves when the test calls `advance(ms)`, firing due callbacks in time order. */
export function manualTimers(): Timers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let nextId = 1;
  const queue = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      queue.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(handle: TimerHandle) {
      queue.delete(handle as number);
    },
    pending: () => queue.size,
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of queue) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        queue.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

/** A PortSummary with sensible defaults (an open demo-like port, capturing); `over` replaces fields. */
export function portSummary(id: string, over: Partial<PortSummary> & { state?: DeviceState } = {}): PortSummary {
  const { state = 'open', ...rest } = over;
  return {
    id,
    name: id,
    device: { state, path: `/dev/${id}`, baudRate: 115200, dtr: null, rts: null, charDelayMs: 0, lineDelayMs: 0 },
    clients: 0,
    stream: { id: `stream-${id}`, end: 0 },
    capture: { state: 'capturing', start: 0, startTimeMs: null, bytesOnDisk: 0 },
    wsPath: `/ws/${id}`,
    ...rest,
  };
}
