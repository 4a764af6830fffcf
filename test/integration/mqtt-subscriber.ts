// A plain mqtt.js subscriber for the bridge's tests, knowing nothing of serialdeck but the contract
// (server/mqtt/): it reassembles each port's output by offset (a repeated offset is dropped, a
// jump is a gap), keeps the last message of every topic, and lets a test wait for a condition,
// checked after every message (an event, not a sleep).
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { decodeOutFrame, OutKind, type OutFrame } from '../../server/mqtt/out-frame.js';

/** Longest wait of waitFor(), in ms: generous, so only a real failure trips it. */
export const SUBSCRIBER_WAIT_MS = 20_000;

/** One port's output as received. */
export interface Reassembled {
  /** Offset of the first byte kept. */
  start: number;
  /** Offset one past the last byte kept. */
  end: number;
  /** The bytes [start, end), each offset once. */
  bytes(): Buffer;
  /** Frames received, in order (their data copied). */
  frames: OutFrame[];
  /** Frames that brought nothing new (every byte at an offset already kept). */
  repeated: number;
  /** Jumps past bytes never received, and `missing` frames. */
  gaps: Array<{ from: number; to: number }>;
}

/** A subscriber on `root/#`. */
export interface TestSubscriber {
  client: MqttClient;
  /** Output of the port at `<root>/<node>/<port>/out`, by `node/port`. */
  output(node: string, port: string): Reassembled;
  /** The last payload on `topic` as JSON (retained ones too), or undefined. */
  last<T>(topic: string): T | undefined;
  /** The frames received on a replay topic, in order (their data copied). */
  replayed(topic: string): OutFrame[];
  /** Every JSON payload received on `topic`, in order. */
  all<T>(topic: string): T[];
  /** Resolves once `check()` is true (checked now and after every message); rejects after `timeoutMs` with `what`. */
  waitFor(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  publish(topic: string, payload: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

/** Connects and subscribes to everything under `root` (QoS 1), then resolves. */
export async function subscribe(url: string, root: string, options: IClientOptions = {}): Promise<TestSubscriber> {
  const client = await connectAsync(url, { protocolVersion: 5, reconnectPeriod: 200, ...options });
  const outputs = new Map<string, Reassembled & { chunks: Buffer[] }>();
  const messages = new Map<string, unknown[]>();
  const waiters = new Set<() => void>();
  const replays = new Map<string, OutFrame[]>();

  client.on('message', (topic, payload) => {
    const levels = topic.split('/');
    if (topic.includes('/$replay/')) {
      const decoded = decodeOutFrame(payload);
      if (!decoded.ok) throw new Error(`${topic}: ${decoded.error}`);
      let list = replays.get(topic);
      if (!list) replays.set(topic, (list = []));
      list.push({ ...decoded.frame, data: Buffer.from(decoded.frame.data) });
    } else if (levels.at(-1) === 'out') {
      const key = `${levels.at(-3)}/${levels.at(-2)}`;
      const decoded = decodeOutFrame(payload);
      if (!decoded.ok) throw new Error(`${topic}: ${decoded.error}`);
      const frame = { ...decoded.frame, data: Buffer.from(decoded.frame.data) };
      let out = outputs.get(key);
      if (!out) {
        const created: Reassembled & { chunks: Buffer[] } = {
          start: frame.offset,
          end: frame.offset,
          chunks: [],
          frames: [],
          repeated: 0,
          gaps: [],
          bytes: () => Buffer.concat(created.chunks),
        };
        out = created;
        outputs.set(key, out);
      }
      out.frames.push(frame);
      if (frame.end <= out.end) out.repeated++;
      else {
        if (frame.offset > out.end) out.gaps.push({ from: out.end, to: frame.offset });
        if (frame.kind === OutKind.missing) out.gaps.push({ from: Math.max(frame.offset, out.end), to: frame.end });
        else out.chunks.push(frame.data.subarray(Math.max(0, out.end - frame.offset)));
        out.end = frame.end;
      }
    } else {
      let list = messages.get(topic);
      if (!list) messages.set(topic, (list = []));
      try {
        list.push(JSON.parse(payload.toString('utf8')));
      } catch {
        list.push(payload.toString('utf8'));
      }
    }
    for (const waiter of waiters) waiter();
  });
  await client.subscribeAsync(`${root}/#`, { qos: 1 });

  const empty: Reassembled = { start: 0, end: 0, frames: [], repeated: 0, gaps: [], bytes: () => Buffer.alloc(0) };
  return {
    client,
    output: (node, port) => outputs.get(`${node}/${port}`) ?? empty,
    last: <T>(topic: string) => messages.get(topic)?.at(-1) as T | undefined,
    all: <T>(topic: string) => (messages.get(topic) ?? []) as T[],
    replayed: (topic) => replays.get(topic) ?? [],
    waitFor: (what, check, timeoutMs = SUBSCRIBER_WAIT_MS) =>
      new Promise<void>((resolve, reject) => {
        if (check()) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`subscriber: waited ${timeoutMs} ms for ${what}`));
        }, timeoutMs);
        const waiter = () => {
          if (!check()) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve();
        };
        waiters.add(waiter);
      }),
    publish: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    close: () => client.endAsync(true),
  };
}
