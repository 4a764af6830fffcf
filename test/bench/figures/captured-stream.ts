// A serialdeck on a fresh pty with a known amount of flat-out output already captured and no
// client connected: what the catch-up and download figures read back. One primer client waits for
// the path to work (and leaves), then the device sends `mib` MiB and the server is polled until its
// stream holds every byte.
import { pollUntil, withDeadline } from '../deadline.js';
import { startGenerator, type Generator } from '../generator.js';
import type { GeneratorResult } from '../generator-core.js';
import { LineChecker } from '../line-checker.js';
import { startSerialdeck, type SerialdeckPeer } from '../peers/serialdeck.js';
import { createPtyPair, type PtyPair } from '../../helpers/pty-pair.js';

/** Line length, in bytes: the throughput figures' 1 KiB, so the stream's record count matches theirs. */
export const CAPTURED_LINE_BYTES = 1024;
/** Longest the primer client may wait for the first priming line, in ms. */
const PRIME_TIMEOUT_MS = 10_000;
/** Longest the device may take to send the whole stream, in ms: 100 MiB at a slow 5 MiB/s, with margin. */
const STREAM_TIMEOUT_MS = 60_000;
/** How often the server's stream end is read while it catches up with the device, in ms. */
const END_POLL_MS = 20;
/** Longest the server may take to have read everything the device sent, in ms. */
const END_TIMEOUT_MS = 30_000;
/** Capture kept on disk, as a multiple of the stream's size: retention must delete nothing here. */
const RETAIN_FACTOR = 4;
const MIB = 1024 * 1024;

/** A captured stream ready to be read back. close() stops the server and removes its data and the pty. */
export interface CapturedStream {
  readonly peer: SerialdeckPeer;
  readonly pair: PtyPair;
  readonly sent: GeneratorResult;
  /** The port's id and stream id. */
  readonly portId: string;
  readonly streamId: string;
  /** Stream offset one past the last data line (priming lines come first, from offset 0). */
  readonly end: number;
  /** Wall-clock times (ms since the epoch) just before the first data line was released and once the server had the last. */
  readonly sinceMs: number;
  readonly untilMs: number;
  close(): Promise<void>;
}

/** Starts serialdeck on a fresh pty and streams `mib` MiB of checked lines into its capture with no client connected. */
export async function captureStream(mib: number): Promise<CapturedStream> {
  const L = CAPTURED_LINE_BYTES;
  const pair = await createPtyPair({ openBoard: false });
  let peer: SerialdeckPeer | null = null;
  let generator: Generator | null = null;
  const close = async (): Promise<void> => {
    generator?.stop();
    await peer?.stop();
    await pair.close(); // unblocks a generator stuck writing into a full pty
    await generator?.terminate();
  };
  try {
    peer = await startSerialdeck(pair.devicePath, { retainBytes: Math.ceil(RETAIN_FACTOR * mib * MIB) });
    const started = peer;
    // The device must be open before the first priming line, so that none is lost and the stream's end is exact.
    await pollUntil(async () => (await started.port()).device.state === 'open', END_POLL_MS, PRIME_TIMEOUT_MS, 'the device never opened');
    const primer = new LineChecker(L, false);
    const client = await started.connect(primer, { mode: 'live' });
    const running = startGenerator(pair.boardPath, {
      lineBytes: L,
      linesPerSecond: 0,
      durationMs: STREAM_TIMEOUT_MS,
      maxLines: Math.round((mib * MIB) / L),
    });
    generator = running;
    await withDeadline(primer.primed(), PRIME_TIMEOUT_MS, 'priming line never reached the primer client');
    client.close();
    const sinceMs = Date.now();
    running.go();
    const sent = await withDeadline(running.result, STREAM_TIMEOUT_MS, 'the generator did not finish');
    const end = (sent.primeLines + sent.lines) * L;
    let summary = await started.port();
    await pollUntil(
      async () => (summary = await started.port()).stream.end >= end,
      END_POLL_MS,
      END_TIMEOUT_MS,
      `the server's stream did not reach offset ${end} in ${END_TIMEOUT_MS} ms`,
    );
    if (summary.stream.end !== end) throw new Error(`the stream ends at ${summary.stream.end}, expected ${end}: stray bytes?`);
    const untilMs = Date.now();
    return { peer: started, pair, sent, portId: summary.id, streamId: summary.stream.id, end, sinceMs, untilMs, close };
  } catch (err) {
    await close();
    throw err;
  }
}
