// Fuzzing the WebSocket side of a running serialdeck (the demo board behind it): text frames that are
// almost control messages (or not text at all), binary frames up to and past the 1 MiB limit,
// connections with bad paths and queries, and hand-made frames that break the protocol. Each gets
// what docs/protocol.md promises (an `error`, a `result` to its id, or a close code); the server never
// hangs, never closes a connection a bad control message came on, and its memory does not grow from
// one burst to the next. Default size for `npm test`; FUZZ_RUNS=100000 for the full run (docs/fuzzing.md).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBursts, fuzzRuns, fuzzSeed, fuzzTimeoutMs, measureBursts, memoryGrowth } from '../helpers/fuzz-common.js';
import { binaryFrameArb, connectArb, FuzzSocket, judgeConnect, judgeFrame, judgeRaw, rawFramesArb, textFrameArb } from '../helpers/fuzz-ws.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** Bursts per kind: the first warms up; growth is measured from the second to the last. */
const BURSTS = 3;
/** Cases in this test: FUZZ_RUNS, or 300 by default. */
const FRAME_RUNS = fuzzRuns(300);
/** Cases in this test: FUZZ_RUNS, or 150 by default. */
const CONNECT_RUNS = fuzzRuns(150);
/** Cases in this test: FUZZ_RUNS, or 150 by default. */
const RAW_RUNS = fuzzRuns(150);

let server: TestServer;
let wsUrl: string;
beforeAll(async () => {
  server = await startTestServer();
  wsUrl = `${server.url.replace(/^http/, 'ws')}ws/demo`;
});
afterAll(() => server?.close());

const options = (runs: number, burst: number) => {
  const seed = fuzzSeed();
  return { numRuns: runs, ...(seed !== undefined ? { seed: seed + burst } : {}) };
};

describe('WebSocket fuzzing', () => {
  it('answers malformed and oversized frames as documented, on a connection that stays open', async () => {
    const runs = Math.max(BURSTS, Math.ceil(FRAME_RUNS / BURSTS));
    let socket = await FuzzSocket.open(wsUrl);
    let closes = 0;
    const bursts = await measureBursts(BURSTS, runs, async (burst) => {
      await fc.assert(
        fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: textFrameArb }, { weight: 1, arbitrary: binaryFrameArb }), async (frame) => {
          const { problem, closed } = await judgeFrame(socket, frame);
          if (closed) {
            closes++;
            socket = await FuzzSocket.open(wsUrl);
          } else if (socket.messages.length > 1000) {
            // Start afresh now and then: the messages list is the test's, and it must not look like the server's memory.
            await socket.close();
            socket = await FuzzSocket.open(wsUrl);
          }
          if (problem) throw new Error(problem);
        }),
        options(runs, burst),
      );
    });
    await socket.close();
    console.log(formatBursts('ws frames', bursts) + `\nws frames: ${closes} cases closed the connection as documented`);
    expect(memoryGrowth(bursts).problem).toBeNull();
  }, fuzzTimeoutMs(FRAME_RUNS, 30));

  it('answers connections with bad paths, queries and Origins as documented', async () => {
    const runs = Math.max(BURSTS, Math.ceil(CONNECT_RUNS / BURSTS));
    const bursts = await measureBursts(BURSTS, runs, async (burst) => {
      await fc.assert(
        fc.asyncProperty(connectArb, async (c) => {
          const problem = await judgeConnect(server.url, c);
          if (problem) throw new Error(problem);
        }),
        options(runs, burst),
      );
    });
    console.log(formatBursts('ws connects', bursts));
    expect(memoryGrowth(bursts).problem).toBeNull();
  }, fuzzTimeoutMs(CONNECT_RUNS, 40));

  it('closes connections that break the protocol with a protocol close code, and stays up', async () => {
    const port = Number(new URL(server.url).port);
    const runs = Math.max(BURSTS, Math.ceil(RAW_RUNS / BURSTS));
    const bursts = await measureBursts(BURSTS, runs, async (burst) => {
      await fc.assert(
        fc.asyncProperty(rawFramesArb, async (c) => {
          const problem = await judgeRaw(port, c);
          if (problem) throw new Error(problem);
        }),
        options(runs, burst),
      );
    });
    console.log(formatBursts('ws raw frames', bursts));
    const after = await FuzzSocket.open(wsUrl);
    expect(after.messages[0]?.type).toBe('hello');
    await after.close();
    expect(memoryGrowth(bursts).problem).toBeNull();
  }, fuzzTimeoutMs(RAW_RUNS, 40));
});
