// Issue 11: what the server's line layer (line framing, record parsing, series) costs at 2,000 lines/s
// of 10-field JSON. The layer is made per port on first use (ServedPort.lines()): "with" is a client
// subscribed to GET /api/ports/ID/events?types=record while the device sends; "without" is only a
// WebSocket client (which never makes it). Server CPU (all threads, /proc) is taken over the steady
// state, after a warm-up of the same traffic, as the latency figures do; each variant gets a fresh server.
import WebSocket from 'ws';
import { WS_PATH } from '../../../server/wire/protocol.js';
import { createPtyPair } from '../../helpers/pty-pair.js';
import { withDeadline } from '../deadline.js';
import { feedPaced, fieldNames, jsonLine } from '../json-feed.js';
import { startSerialdeck, waitDeviceOpen, type SerialdeckPeer } from '../peers/serialdeck.js';
import { cpuSeconds } from '../proc-stats.js';
import { metric, type Figure } from './figure.js';

/** The rate: 2,000 lines a second, native-USB traffic. */
const LINES_PER_S = 2000;
/** Fields per line: `{"s0":1.23,…,"s9":…}`, ~110 bytes a line. */
const FIELDS = 10;
/** Warm-up before CPU is read, in ms: the layer's backfill, the JIT and the heap settle. */
const WARMUP_MS = 2000;
const QUICK_WARMUP_MS = 500;
/** CPU is read over this much steady traffic, in ms: 20,000 lines, so the 10-ms tick of /proc is < 1 %. */
const MEASURE_MS = 10_000;
const QUICK_MEASURE_MS = 1500;
/** Longest the SSE subscriber may take to have every record after the device stops, in ms. */
const DRAIN_MS = 5000;
/** Longest a client may take to connect, in ms. */
const CONNECT_MS = 10_000;

/** Alternates which variant runs first, so a burst of load elsewhere does not always hit the same one. */
let runCount = 0;

/** The figure (serialdeck only: the floor and ser2net have no line layer). */
export const linesCostFigure: Figure = {
  id: 'lines-cost',
  runs: 3,
  title: `Server cost of lines and records: ${LINES_PER_S.toLocaleString('en-US')} lines/s of ${FIELDS}-field JSON, one WebSocket client`,
  peers: ['serialdeck'],
  metrics: [
    metric('lines-cost.without', 'Server CPU per 1,000 lines, without the line layer (WebSocket client only)', 'CPU ms', 2, 'median', false),
    metric('lines-cost.with', 'Server CPU per 1,000 lines, with the line layer (plus an SSE `record` subscriber)', 'CPU ms', 2, 'median', false),
    metric('lines-cost.ratio', 'With ÷ without (per run)', '×', 2, 'median', false),
    metric('lines-cost.withCore', 'Server CPU with the line layer', '% of a core', 1, 'median', false),
    metric('lines-cost.records', 'SSE records received ÷ lines sent', '×', 3, 'median', false),
    metric('lines-cost.firstRecord', 'First line the SSE subscriber got (subscribed before the first was sent)', 'line', 0, 'max', false),
  ],
  async measure(_peer, scale) {
    const order: Array<'with' | 'without'> = runCount++ % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
    const results: Record<string, Variant> = {};
    for (const v of order) results[v] = await measureVariant(v === 'with', scale.quick);
    const withV = results['with'] as Variant;
    const without = results['without'] as Variant;
    return {
      'lines-cost.without': without.cpuMsPer1000,
      'lines-cost.with': withV.cpuMsPer1000,
      'lines-cost.ratio': without.cpuMsPer1000 > 0 ? withV.cpuMsPer1000 / without.cpuMsPer1000 : null,
      'lines-cost.withCore': withV.corePercent,
      'lines-cost.records': withV.recordsRatio,
      'lines-cost.firstRecord': withV.firstRecord,
    };
  },
};

interface Variant {
  cpuMsPer1000: number;
  corePercent: number;
  recordsRatio: number | null;
  /** The first line the SSE subscriber got a record of (0: from the first line sent). */
  firstRecord: number | null;
}

async function measureVariant(withLines: boolean, quick: boolean): Promise<Variant> {
  const pair = await createPtyPair();
  let peer: SerialdeckPeer | null = null;
  let ws: WebSocket | null = null;
  const sse = new AbortController();
  try {
    peer = await startSerialdeck(pair.devicePath);
    await waitDeviceOpen(peer);
    ws = await withDeadline(openWs(`${peer.origin.replace(/^http/, 'ws')}${WS_PATH}`), CONNECT_MS, 'WebSocket client not connected');
    const got = { records: 0, first: -1, last: -1 };
    if (withLines) {
      const id = (await peer.port()).id;
      const response = await withDeadline(
        fetch(`${peer.origin}/api/ports/${encodeURIComponent(id)}/events?types=record`, { signal: sse.signal }),
        CONNECT_MS,
        'SSE not connected',
      );
      if (!response.ok || !response.body) throw new Error(`GET events: ${response.status}`);
      void countRecords(response.body, (seq) => {
        got.records++;
        if (got.first < 0) got.first = seq;
        got.last = seq;
      }).catch(() => undefined);
    }
    const warmupMs = quick ? QUICK_WARMUP_MS : WARMUP_MS;
    const measureMs = quick ? QUICK_MEASURE_MS : MEASURE_MS;
    const names = fieldNames(FIELDS);
    const feed = feedPaced(pair.board, (seq) => jsonLine(names, seq, true), LINES_PER_S, warmupMs + measureMs + 500);
    await sleep(warmupMs);
    const cpu0 = cpuSeconds(peer.pid);
    const lines0 = feed.linesSoFar();
    const t0 = performance.now();
    await sleep(measureMs);
    const cpu1 = cpuSeconds(peer.pid);
    const lines1 = feed.linesSoFar();
    const elapsedMs = performance.now() - t0;
    const sent = await feed.done;
    if (withLines) {
      const until = performance.now() + DRAIN_MS;
      while (got.last < sent.lines - 1 && performance.now() < until) await sleep(50);
    }
    const cpuMs = (cpu1 - cpu0) * 1000;
    return {
      cpuMsPer1000: cpuMs / ((lines1 - lines0) / 1000),
      corePercent: (cpuMs / elapsedMs) * 100,
      recordsRatio: withLines ? got.records / sent.lines : null,
      firstRecord: withLines ? got.first : null,
    };
  } finally {
    sse.abort();
    ws?.terminate();
    await peer?.stop();
    await pair.close();
  }
}

/** Connects a WebSocket client that reads and drops everything (never acks, as a script would). */
function openWs(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined);
      resolve(ws);
    });
    ws.on('message', () => undefined);
  });
}

/** Reads an SSE body, calling `onRecord` with the first field (the line's sequence number) of each `record` event. */
async function countRecords(body: ReadableStream<Uint8Array>, onRecord: (seq: number) => void): Promise<void> {
  const decoder = new TextDecoder();
  let carry = '';
  let isRecord = false;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    const text = carry + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('event: ')) isRecord = line === 'event: record';
      else if (isRecord && line.startsWith('data: ')) {
        const data = JSON.parse(line.slice(6)) as { fields?: Record<string, unknown> };
        onRecord(Number(data.fields?.['s0'] ?? Number.NaN));
        isRecord = false;
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
