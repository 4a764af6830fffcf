// One measured run: a fresh pty pair, one peer on it, N checked clients, one generator pass.
import { waitAtMost, withDeadline } from './deadline.js';
import { startGenerator, type Generator } from './generator.js';
import type { GeneratorResult, GeneratorSettings } from './generator-core.js';
import { LineChecker, type CheckResult } from './line-checker.js';
import type { BenchClient, ConnectOptions, Peer, PeerName } from './peers/peer.js';
import { startPeer } from './peers/start-peer.js';
import { createPtyPair, type PtyPair } from '../helpers/pty-pair.js';

/** Longest the first priming line may take to reach every client, in ms (ser2net opens the device on connect). */
const PRIME_TIMEOUT_MS = 10_000;
/** Longest one client may take to connect (and, for serialdeck, get its hello), in ms. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * Longest the generator may run past its duration, in ms: a relay that holds the device up for a
 * stalled client (the floor, ser2net) blocks it for the whole 10-s stall; a dead one, for ever.
 */
const GENERATOR_GRACE_MS = 30_000;
/** Longest clients may take to catch up after the generator stops, in ms, unless the session says; past it, what is missing is lost. */
const DRAIN_TIMEOUT_MS = 5_000;

/** A peer on a fresh device with connected clients. close() tears everything down; safe twice. */
export interface Session {
  readonly peer: Peer;
  readonly pair: PtyPair;
  readonly clients: BenchClient[];
  /** Each client's checker, in client order: progress can be read mid-run. */
  readonly checkers: LineChecker[];
  /** Runs the generator once (a session runs once: its clients' checkers are not reset); see RunHooks. */
  run(settings: GeneratorSettings, hooks?: RunHooks): Promise<RunResult>;
  close(): Promise<void>;
}

/** Called during a run: onGo right after the first data line is released; during alongside generation. */
export interface RunHooks {
  onGo?: () => void;
  during?: (generator: Generator) => Promise<void>;
}

/** What was sent and what each client got. */
export interface RunResult {
  sent: GeneratorResult;
  received: CheckResult[];
  /** hrtime (ns) when every client had caught up (or the drain timed out). */
  drainedNs: number;
}

/** Options for openSession. */
export interface SessionOptions {
  clients: number;
  /** Open the board end for reading (pair.board), to see what clients write to the device. */
  openBoard?: boolean;
  lineBytes: number;
  recordLatency: boolean;
  /** Lines before this one are a warm-up: checked, their latencies kept apart (default 0). */
  latencyFromLine?: number;
  /** How every client asks to be fed (serialdeck's stream mode; unset: the server's default, lossless). */
  connect?: ConnectOptions;
  /** Longest the clients may take to catch up after the generator stops, in ms (default DRAIN_TIMEOUT_MS). */
  drainTimeoutMs?: number;
}

/** Starts a pty pair and `peer` on it and connects the clients. */
export async function openSession(peerName: PeerName, options: SessionOptions): Promise<Session> {
  const pair = await createPtyPair({ openBoard: options.openBoard ?? false });
  let peer: Peer | null = null;
  const clients: BenchClient[] = [];
  const checkers: LineChecker[] = [];
  let generator: Generator | null = null;
  let closing: Promise<void> | null = null;
  let ran = false;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      generator?.stop();
      for (const client of clients) client.close();
      await peer?.stop();
      await pair.close(); // unblocks a generator stuck writing into a full pty
      await generator?.terminate();
    })());
  try {
    peer = await startPeer(peerName, pair.devicePath);
    for (let i = 0; i < options.clients; i++) {
      const checker = new LineChecker(options.lineBytes, options.recordLatency, options.latencyFromLine ?? 0);
      checkers.push(checker);
      const connecting = peer.connect(checker, options.connect);
      const connected = await withDeadline(connecting, CONNECT_TIMEOUT_MS, `client ${i + 1} not connected in ${CONNECT_TIMEOUT_MS} ms`).catch(
        (error: unknown) => {
          // A client that connects after its deadline is closed then, not left holding the process open.
          connecting.then((late) => late.close(), () => undefined);
          throw error;
        },
      );
      clients.push(connected);
    }
  } catch (err) {
    await close();
    throw err;
  }
  const started: Peer = peer;
  return {
    peer: started,
    pair,
    clients,
    checkers,
    close,
    run: async (settings, hooks = {}) => {
      if (ran) throw new Error('run: a session runs once');
      ran = true;
      if (settings.lineBytes !== options.lineBytes) throw new Error('run: line length differs from the session');
      generator = startGenerator(pair.boardPath, settings);
      await withDeadline(Promise.all(checkers.map((c) => c.primed())), PRIME_TIMEOUT_MS, 'priming line never reached every client');
      generator.go();
      hooks.onGo?.();
      const finished = withDeadline(
        generator.result,
        settings.durationMs + GENERATOR_GRACE_MS,
        `the generator was still writing ${GENERATOR_GRACE_MS} ms after its time: nothing reads the device?`,
      );
      const [sent] = await Promise.all([finished, hooks.during?.(generator)]);
      await waitAtMost(Promise.all(checkers.map((c) => c.reached(sent.lines))), options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS);
      const drainedNs = Number(process.hrtime.bigint());
      await generator.terminate();
      generator = null;
      return { sent, received: checkers.map((c) => c.finish(sent.lines)), drainedNs };
    },
  };
}
