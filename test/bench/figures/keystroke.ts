// Keystroke latency: a client sends a stamped keystroke-sized write; the board side times its arrival.
import { setTimeout as delay } from 'node:timers/promises';
import { waitAtMost } from '../deadline.js';
import { LineChecker } from '../line-checker.js';
import { lineTemplate, writeLine, writePrimeLine } from '../line-format.js';
import { openSession } from '../session.js';
import { latencySummary } from '../stats.js';
import { PEER_NAMES } from '../peers/peer.js';
import { metric, type Figure } from './figure.js';

/** Bytes per keystroke write: the shortest stamped line (a key plus the stamp the check needs). */
const KEY_BYTES = 32;
/** Keystrokes per run: 300 samples put p99 on the 3rd-slowest. */
const KEYSTROKES = 300;
const QUICK_KEYSTROKES = 20;
/** Gap between keystrokes, in ms: a fast typist's burst (~200 keys/s) without queueing behind each other. */
const KEY_GAP_MS = 5;
/** Gap between priming writes while waiting for the path to the board to open, in ms. */
const PRIME_GAP_MS = 20;
/** Most priming writes (~10 s) before giving up on the path. */
const MAX_PRIMES = 500;
/** Longest the last keystroke may take to arrive after it was sent, in ms; past it, it is lost. */
const DRAIN_TIMEOUT_MS = 5000;

/** The keystroke → device figure. */
export const keystrokeFigure: Figure = {
  id: 'keystroke',
  title: `Keystroke latency, client → device (${KEY_BYTES}-byte writes, one every ${KEY_GAP_MS} ms)`,
  peers: PEER_NAMES, // floor-worker too: the thread hop is what limits this figure
  metrics: [
    metric('keystroke.p50', 'Keystroke → device p50', 'ms', 2),
    metric('keystroke.p99', 'Keystroke → device p99', 'ms', 2),
    metric('keystroke.max', 'Keystroke → device max', 'ms', 2),
    metric('keystroke.errors', 'Keystroke bytes lost + reordered + corrupted', 'B', 0, 'sum', false),
  ],
  async measure(peer, scale) {
    const session = await openSession(peer, { clients: 1, lineBytes: KEY_BYTES, recordLatency: false, openBoard: true });
    const checker = new LineChecker(KEY_BYTES, true);
    const board = session.pair.board;
    const stopReading = board.onData((chunk) => {
      checker.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), Number(process.hrtime.bigint()));
      board.discard(); // the checker has it; the helper's read buffer need not grow
    });
    try {
      const client = session.clients[0];
      if (!client) throw new Error('keystroke: no client');
      const template = lineTemplate(KEY_BYTES);
      let primed = false;
      void checker.primed().then(() => (primed = true));
      for (let i = 0; !primed; i++) {
        if (i >= MAX_PRIMES) throw new Error('keystroke: no write from the client reached the board');
        const line = Buffer.alloc(KEY_BYTES);
        writePrimeLine(line, 0, template, process.hrtime.bigint());
        client.send(line);
        await delay(PRIME_GAP_MS);
      }
      const count = scale.quick ? QUICK_KEYSTROKES : KEYSTROKES;
      for (let seq = 0; seq < count; seq++) {
        const line = Buffer.alloc(KEY_BYTES);
        writeLine(line, 0, template, seq, process.hrtime.bigint());
        client.send(line);
        await delay(KEY_GAP_MS);
      }
      await waitAtMost(checker.reached(count), DRAIN_TIMEOUT_MS);
      const result = checker.finish(count);
      const { p50, p99, max } = latencySummary(result.latenciesMs);
      return {
        'keystroke.p50': p50,
        'keystroke.p99': p99,
        'keystroke.max': max,
        'keystroke.errors': result.lostBytes + result.reorderedBytes + result.corruptedBytes,
      };
    } finally {
      stopReading();
      await session.close();
    }
  },
};
