// Fuzzing the HTTP side of a running serialdeck (the demo board behind it): malformed requests to
// every route of the API table and to the page, through Node's client, and raw bytes that are not
// quite HTTP through a bare socket. The server must answer each with a documented status and a
// clear error, never a 500, never hang, and its memory must not grow from one burst to the next.
// Default size for `npm test`; FUZZ_RUNS=100000 for the full run (docs/fuzzing.md).
import fc from 'fast-check';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBursts, fuzzRuns, fuzzSeed, fuzzTimeoutMs, measureBursts, memoryGrowth, pause } from '../helpers/fuzz-common.js';
import { fuzzRequestArb, judge, judgeRaw, rawRequestArb, send, sendRaw, type FuzzAnswer } from '../helpers/fuzz-http.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** Bursts per kind: the first warms up; growth is measured from the second to the last. */
const BURSTS = 3;
/** Cases in this test: FUZZ_RUNS, or 300 by default. */
const REQUEST_RUNS = fuzzRuns(300);
/** Cases in this test: FUZZ_RUNS, or 150 by default. */
const RAW_RUNS = fuzzRuns(150);

let server: TestServer;
let port: number;
beforeAll(async () => {
  // A lockout far above the fuzzer's rate of wrong tokens: the fuzz is of inputs, not of the lockout (tested on its own).
  server = await startTestServer({ lockout: { attempts: 1000, window: '1s' } });
  port = Number(new URL(server.url).port);
});
afterAll(() => server?.close());

async function alive(): Promise<FuzzAnswer> {
  const agent = new Agent();
  try {
    return await send(server.url, agent, { method: 'GET', path: '/api/ports', headers: {}, body: null, route: null, clean: true });
  } finally {
    agent.destroy();
  }
}

describe('HTTP fuzzing', () => {
  it('answers malformed requests to every route with a documented status and error, and keeps its memory', async () => {
    const runs = Math.max(BURSTS, Math.ceil(REQUEST_RUNS / BURSTS));
    const statuses = new Map<number, number>();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const seed = fuzzSeed();
    const bursts = await measureBursts(BURSTS, runs, async (burst) => {
      await fc.assert(
        fc.asyncProperty(fuzzRequestArb(port), async (req) => {
          const answer = await send(server.url, agent, req);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const problem = judge(req, answer);
          if (problem) throw new Error(problem);
        }),
        { numRuns: runs, ...(seed !== undefined ? { seed: seed + burst } : {}) },
      );
    });
    agent.destroy();
    console.log(formatBursts('http', bursts));
    console.log(`http statuses: ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ')}`);
    expect((await alive()).status).toBe(200);
    // The fuzzer reached the routes, their checks and their limits, not only the 404 of a wrong path.
    for (const status of [200, 400, 404, 405]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
    expect(memoryGrowth(bursts).problem).toBeNull();
  }, fuzzTimeoutMs(REQUEST_RUNS, 20));

  it('answers raw bytes that are not quite HTTP with an HTTP status or a close, and keeps its memory', async () => {
    const runs = Math.max(BURSTS, Math.ceil(RAW_RUNS / BURSTS));
    let answered = 0;
    const seed = fuzzSeed();
    const bursts = await measureBursts(BURSTS, runs, async (burst) => {
      await fc.assert(
        fc.asyncProperty(rawRequestArb, async (bytes) => {
          const answer = await sendRaw(port, bytes);
          if (answer !== '') answered++;
          const problem = judgeRaw(answer);
          if (problem) throw new Error(problem);
        }),
        { numRuns: runs, ...(seed !== undefined ? { seed: seed + burst } : {}) },
      );
    });
    console.log(formatBursts('raw http', bursts));
    expect((await alive()).status).toBe(200);
    expect(answered).toBeGreaterThan(0);
    expect(memoryGrowth(bursts).problem).toBeNull();
  }, fuzzTimeoutMs(RAW_RUNS, 40));

  it('closes the capture files a download reads when the download is not read to the end (found by fuzzing)', async () => {
    // Capture segments open for reading (the capture's own writer has them open for appending).
    const segmentFds = (): number =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          const flags = Number.parseInt(/^flags:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '1', 8);
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${server.dataDir}/ports/demo/seg-`) && (flags & 3) === 0;
        } catch {
          return false; // closed while listing
        }
      }).length;
    const base = segmentFds();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // The demo board opens a moment after the server starts; writes before that are refused (409).
    const isOpen = async () => JSON.parse((await send(server.url, agent, { method: 'GET', path: '/api/ports/demo', headers: {}, body: null, route: null, clean: true })).body).device.state === 'open';
    for (let waitedMs = 0; !(await isOpen()) && waitedMs < 10_000; waitedMs += 20) await pause(20);
    // Several hundred KiB in the capture (the demo echoes what it is sent), so a download is longer than what is read of it.
    for (let i = 0; i < 4; i++) {
      const write = await send(server.url, agent, { method: 'POST', path: '/api/ports/demo/write', headers: {}, body: new Uint8Array(100_000).fill(0x78), route: null, clean: true });
      expect(write.status).toBe(200);
    }
    for (let i = 0; i < 10; i++) {
      // A HEAD never reads the body; a GET cut off after its first bytes leaves the rest unread.
      const head = await send(server.url, agent, { method: 'HEAD', path: '/api/ports/demo/download?format=raw', headers: {}, body: null, route: null, clean: true });
      expect(head.status).toBe(200);
      const get = await send(server.url, agent, { method: 'GET', path: '/api/ports/demo/download?format=ndjson', headers: {}, body: null, route: null, clean: true });
      expect(get.status).toBe(200);
    }
    agent.destroy();
    // Files close asynchronously once each response ends: give them a moment, then none of the downloads' may be left.
    for (let waitedMs = 0; segmentFds() > base && waitedMs < 2000; waitedMs += 20) await pause(20);
    expect(segmentFds()).toBe(base);
  });
});
