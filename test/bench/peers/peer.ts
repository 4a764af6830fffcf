// What the benchmark needs from every server it measures, whatever its protocol.
import type { StreamMode } from '../../../server/wire/protocol.js';
import type { LineChecker } from '../line-checker.js';

/**
 * The servers measured side by side. The floor is the reference every ratio is taken against;
 * floor-worker is the floor with serialdeck's worker-thread split, measured where that split
 * is what limits a figure (latency and CPU on paced traffic); serialdeck-nocapture is serialdeck
 * with `--no-capture`, measured where the capture's cost is the question (CPU).
 */
export const PEER_NAMES = ['floor', 'floor-worker', 'ser2net', 'serialdeck', 'serialdeck-nocapture'] as const;
/** Peers a figure runs on unless it says otherwise. */
export const DEFAULT_PEERS: readonly PeerName[] = ['floor', 'ser2net', 'serialdeck'];
/** One of PEER_NAMES. */
export type PeerName = (typeof PEER_NAMES)[number];

/** One connected client. Received bytes go to the checker it was connected with. */
export interface BenchClient {
  /** Stops reading from the socket (the kernel buffers fill, then the server sees back-pressure). */
  pause(): void;
  resume(): void;
  /** Sends bytes to be written to the device. */
  send(bytes: Uint8Array): void;
  close(): void;
}

/** How a client asks to be fed; a raw TCP peer has one way only and ignores it. */
export interface ConnectOptions {
  /** serialdeck's stream mode (`?mode=`); unset: the server's default (lossless). */
  mode?: StreamMode;
}

/** A running server on one device, as a child process whose CPU and memory can be read. */
export interface Peer {
  readonly name: PeerName;
  readonly pid: number;
  /** Spawn → listening, in ms. */
  readonly startupMs: number;
  /** Connects a client whose received stream is fed to `checker`; resolves once it can receive. */
  connect(checker: LineChecker, options?: ConnectOptions): Promise<BenchClient>;
  /** Stops the server (and removes what it kept on disk); safe twice. */
  stop(): Promise<void>;
}
