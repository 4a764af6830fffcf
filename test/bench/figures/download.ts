// Download of a time range: with N MiB captured (100 MiB, the figure), the range from just
// before the first data line to just after the last is fetched by time (`since`/`until`) over the
// HTTP API, as raw bytes and as timestamped text, and timed while the server's RSS is sampled. The
// raw download is line-checked: every line of the range, in order.
import { LineChecker } from '../line-checker.js';
import { rssMiB, sampleRss } from '../proc-stats.js';
import { captureStream, CAPTURED_LINE_BYTES, type CapturedStream } from './captured-stream.js';
import { metric, type Figure, type Metrics } from './figure.js';
import { integrityErrorBytes } from './run-results.js';

/** Range downloaded, in MiB. */
const STREAM_MIB = 100;
const QUICK_STREAM_MIB = 8;
/** RSS sampling interval during a download, in ms: a 100 MiB download takes a second or more. */
const RSS_SAMPLE_MS = 20;
/** Longest one download may take, in ms: 100 MiB at a slow 2 MiB/s. */
const DOWNLOAD_TIMEOUT_MS = 50_000;
/** Runs by default: each streams 100 MiB first (several seconds), so 3 rather than 5. */
const RUNS = 3;
const MIB = 1024 * 1024;
const NEWLINE = 0x0a;

/** The download figure (serialdeck only). */
export const downloadFigure: Figure = {
  id: 'download',
  runs: RUNS,
  title: `Download of a ${STREAM_MIB} MiB (quick: ${QUICK_STREAM_MIB}) time range (${CAPTURED_LINE_BYTES}-byte lines captured, no client connected)`,
  peers: ['serialdeck'],
  metrics: [
    metric('download.mib', 'Range downloaded (raw)', 'MiB', 1, 'median', false),
    metric('download.rawSeconds', 'Download time, raw', 's', 2, 'median', false),
    metric('download.rawMibs', 'Download rate, raw', 'MiB/s', 1, 'median', false),
    metric('download.rawRss', 'Server RSS during the raw download (peak)', 'MiB', 1, 'median', false),
    metric('download.errors', 'Raw download: lines of the range lost + reordered + corrupted', 'B', 0, 'sum', false),
    metric('download.textSeconds', 'Download time, text (timestamped lines)', 's', 2, 'median', false),
    metric('download.textRss', 'Server RSS during the text download (peak)', 'MiB', 1, 'median', false),
    metric('download.textLines', 'Text download: lines ÷ lines sent', '×', 3, 'median', false),
    metric('download.rssBefore', 'Server RSS before the downloads', 'MiB', 1, 'median', false),
  ],
  async measure(_peer, scale) {
    const stream = await captureStream(scale.quick ? QUICK_STREAM_MIB : STREAM_MIB);
    try {
      const rssBefore = rssMiB(stream.peer.pid);
      const raw = await download(stream, 'raw');
      const text = await download(stream, 'text');
      const metrics: Metrics = {
        'download.mib': raw.bytes / MIB,
        'download.rawSeconds': raw.seconds,
        'download.rawMibs': raw.bytes / MIB / raw.seconds,
        'download.rawRss': raw.peakRss,
        'download.errors': raw.errors,
        'download.textSeconds': text.seconds,
        'download.textRss': text.peakRss,
        'download.textLines': text.lines / stream.sent.lines,
        'download.rssBefore': rssBefore,
      };
      return metrics;
    } finally {
      await stream.close();
    }
  },
};

interface Downloaded {
  bytes: number;
  seconds: number;
  peakRss: number;
  /** Newlines in the body. */
  lines: number;
  /** raw: integrity errors over the range's data lines; text: 0 (not checked). */
  errors: number;
}

/** Fetches the stream's time range in `format`, consuming the body as it arrives. */
async function download(stream: CapturedStream, format: 'raw' | 'text'): Promise<Downloaded> {
  const { peer, sent } = stream;
  const query = `since=${stream.sinceMs}&until=${stream.untilMs}&format=${format}`;
  const url = `${peer.origin}/api/ports/${encodeURIComponent(stream.portId)}/download?${query}`;
  const checker = format === 'raw' ? new LineChecker(CAPTURED_LINE_BYTES, false) : null;
  const rss = sampleRss(peer.pid, RSS_SAMPLE_MS);
  const abort = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
  const startNs = process.hrtime.bigint();
  let bytes = 0;
  let lines = 0;
  let peakRss = 0;
  let seconds = 0;
  try {
    const response = await fetch(url, { signal: abort });
    if (!response.ok || !response.body) throw new Error(`download: GET ${url}: ${response.status} ${await response.text()}`);
    const reader = response.body.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      const chunk = next.value;
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      bytes += buf.byteLength;
      for (let i = buf.indexOf(NEWLINE); i >= 0; i = buf.indexOf(NEWLINE, i + 1)) lines++;
      checker?.push(buf, 0);
    }
    seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  } finally {
    peakRss = rss.stop();
  }
  const errors = checker ? integrityErrorBytes([checker.finish(sent.lines)]) : 0;
  return { bytes, seconds, peakRss, lines, errors };
}
