// Catch-up from disk: with N MiB already captured and nobody watching, one lossless client
// connects at offset 0 of the stream and is timed until it has every line. All but the last MiB
// (the memory ring) comes from the capture's segment files, so this is the rate a client that fell
// far behind (or resumes from yesterday's offset) is fed at. As a reference, the same segment files
// are then read straight with fs.readFile in the benchmark's process: the page cache's own rate.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withDeadline } from '../deadline.js';
import { LineChecker } from '../line-checker.js';
import { readCharsBytes, rssMiB, sampleRss } from '../proc-stats.js';
import { connectWs } from '../clients/ws-client.js';
import { WS_PATH } from '../../../server/wire/protocol.js';
import { captureStream, CAPTURED_LINE_BYTES } from './captured-stream.js';
import { metric, type Figure } from './figure.js';
import { integrityErrorBytes } from './run-results.js';

/** Stream read back, in MiB: 64 is the server's default retention, far beyond the 1 MiB memory ring. */
const STREAM_MIB = 64;
const QUICK_STREAM_MIB = 16;
/** Longest the catch-up may take, in ms: 64 MiB at a slow 2 MiB/s. */
const CATCH_UP_TIMEOUT_MS = 32_000;
/** RSS sampling interval during the catch-up, in ms. */
const RSS_SAMPLE_MS = 20;
/** Runs by default: each streams 64 MiB first (several seconds), so 3 rather than 5. */
const RUNS = 3;
const MIB = 1024 * 1024;

/** The catch-up figure (serialdeck only: the floor and ser2net keep nothing to catch up from). */
export const catchUpFigure: Figure = {
  id: 'catch-up',
  runs: RUNS,
  title: `Catch-up from disk: ${STREAM_MIB} MiB (quick: ${QUICK_STREAM_MIB}) captured, one lossless client from offset 0 (${CAPTURED_LINE_BYTES}-byte lines)`,
  peers: ['serialdeck'],
  metrics: [
    metric('catch-up.mibs', 'Catch-up read rate, disk → client', 'MiB/s', 1, 'median', false),
    metric('catch-up.seconds', 'Time to receive the whole stream', 's', 2, 'median', false),
    metric('catch-up.errors', 'Lost + reordered + corrupted bytes (catch-up)', 'B', 0, 'sum', false),
    metric('catch-up.skipped', 'Bytes skipped with a notice (catch-up)', 'B', 0, 'sum', false),
    metric('catch-up.rssBefore', 'Server RSS before the catch-up', 'MiB', 1, 'median', false),
    metric('catch-up.rss', 'Server RSS during the catch-up (peak)', 'MiB', 1, 'median', false),
    metric('catch-up.readRatio', 'Bytes the server read (rchar) ÷ bytes it delivered', '×', 2, 'median', false),
    metric('catch-up.direct', 'Reference: the segment files read straight (fs.readFile, no server)', 'MiB/s', 0, 'median', false),
  ],
  async measure(_peer, scale) {
    const stream = await captureStream(scale.quick ? QUICK_STREAM_MIB : STREAM_MIB);
    try {
      const { peer, sent } = stream;
      const checker = new LineChecker(CAPTURED_LINE_BYTES, false);
      const url = `${peer.origin.replace(/^http/, 'ws')}${WS_PATH}/${encodeURIComponent(stream.portId)}?offset=0&stream=${encodeURIComponent(stream.streamId)}`;
      const rssBefore = rssMiB(peer.pid);
      const readBefore = readCharsBytes(peer.pid);
      const rss = sampleRss(peer.pid, RSS_SAMPLE_MS);
      const startNs = Number(process.hrtime.bigint());
      const client = await connectWs(url, checker);
      try {
        if (client.hello.offset !== 0 || client.hello.mode !== 'lossless')
          throw new Error(`catch-up: hello at offset ${client.hello.offset} in mode ${client.hello.mode}, expected 0 and lossless`);
        await withDeadline(checker.reached(sent.lines), CATCH_UP_TIMEOUT_MS, `catch-up: not every line arrived in ${CATCH_UP_TIMEOUT_MS} ms`);
      } finally {
        client.close();
      }
      const peak = rss.stop();
      const readBytes = readCharsBytes(peer.pid) - readBefore;
      const result = checker.finish(sent.lines);
      const seconds = (result.lastLineNs - startNs) / 1e9;
      return {
        'catch-up.mibs': result.rawBytes / MIB / seconds,
        'catch-up.seconds': seconds,
        'catch-up.errors': integrityErrorBytes([result]),
        'catch-up.skipped': result.announcedSkippedBytes,
        'catch-up.rssBefore': rssBefore,
        'catch-up.rss': peak,
        'catch-up.readRatio': readBytes / result.rawBytes,
        'catch-up.direct': peer.dataDir ? await readStraightMiBps(peer.dataDir) : null,
      };
    } finally {
      await stream.close();
    }
  },
};

/** MiB/s of reading every segment file under `dir` (recursively) with fs.readFile, one after another. */
async function readStraightMiBps(dir: string): Promise<number> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.cap')).sort();
  const startNs = process.hrtime.bigint();
  let bytes = 0;
  for (const file of files) bytes += (await readFile(join(dir, file))).byteLength;
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  return bytes / MIB / seconds;
}
