// Does fuzzing leak? Runs serialdeck (the demo board) in a child process, throws the same kind of
// burst of malformed input at it several times, and after each burst has the child collect garbage
// and report its memory: RSS (from /proc, every thread), JS heap, external and ArrayBuffer memory.
// A leak grows heap or external with every burst; memory the allocator keeps after a peak (glibc's
// malloc arenas) shows as RSS that stays high while heap and external come back, and does not grow.
// By hand, not in npm test:
//   node --import tsx test/bench/fuzz-memory.ts [--kind http|ws|both] [--cases 20000] [--bursts 5] [--concurrency 16] [--arena-max N]
// (--arena-max runs the server with MALLOC_ARENA_MAX=N, to see how much of the RSS is glibc's arenas.)
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { collectGarbage } from '../helpers/fuzz-common.js';
import { fuzzRequestArb, judge, send } from '../helpers/fuzz-http.js';
import { binaryFrameArb, FuzzSocket, judgeFrame, textFrameArb } from '../helpers/fuzz-ws.js';
import { startTestServer } from '../helpers/test-server.js';
import { rssMiB, sampleRss } from './proc-stats.js';

/** What the child reports, in MiB. */
interface ChildMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

type FromChild = { url: string } | { memory: ChildMemory };

/** RSS sampling interval during a burst, in ms: fine enough to catch a peak of a second or two. */
const SAMPLE_MS = 50;

async function serve(): Promise<void> {
  // A lockout far above the fuzzer's rate of wrong tokens, as in the fuzzing tests: the burst is of bad input, not of the lockout.
  const server = await startTestServer({ lockout: { attempts: 1000, window: '1s' } });
  process.on('message', (message: { measure?: boolean; stop?: boolean }) => {
    if (message.stop) void server.close().then(() => process.exit(0));
    if (!message.measure) return;
    collectGarbage();
    const usage = process.memoryUsage();
    const mib = (n: number) => Math.round((n / 1024 ** 2) * 10) / 10;
    const memory: ChildMemory = { rss: mib(usage.rss), heapUsed: mib(usage.heapUsed), heapTotal: mib(usage.heapTotal), external: mib(usage.external), arrayBuffers: mib(usage.arrayBuffers) };
    process.send!({ memory } satisfies FromChild);
  });
  process.send!({ url: server.url } satisfies FromChild);
}

function nextMessage(child: ChildProcess): Promise<FromChild> {
  return once(child, 'message').then(([message]) => message as FromChild);
}

async function measure(child: ChildProcess): Promise<ChildMemory> {
  child.send({ measure: true });
  const message = await nextMessage(child);
  if (!('memory' in message)) throw new Error('expected a memory report');
  return message.memory;
}

/** `cases` malformed HTTP requests, `concurrency` at a time, each judged; returns the problems found (none, expected). */
async function httpBurst(url: string, cases: number, concurrency: number, seed: number): Promise<number> {
  const port = Number(new URL(url).port);
  const requests = fc.sample(fuzzRequestArb(port), { numRuns: cases, seed });
  let next = 0;
  let problems = 0;
  const worker = async (): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (next < requests.length) {
      const req = requests[next++]!;
      let problem: string | null;
      try {
        problem = judge(req, await send(url, agent, req));
      } catch (error) {
        problem = `${(error as Error).message} on ${fc.stringify(req).slice(0, 300)}`;
      }
      if (problem && problems++ < 5) console.error(`problem: ${problem}`);
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return problems;
}

/** `cases` malformed frames on one connection (a new one after each that closes it by design). */
async function wsBurst(url: string, cases: number, seed: number): Promise<number> {
  const wsUrl = `${url.replace(/^http/, 'ws')}ws/demo`;
  const frames = fc.sample(fc.oneof({ weight: 3, arbitrary: textFrameArb }, { weight: 1, arbitrary: binaryFrameArb }), { numRuns: cases, seed });
  let socket = await FuzzSocket.open(wsUrl);
  let problems = 0;
  for (const [i, frame] of frames.entries()) {
    const { problem, closed } = await judgeFrame(socket, frame);
    if (problem && problems++ < 5) console.error(`problem: ${problem}`);
    if (closed || i % 1000 === 999) {
      if (!closed) await socket.close();
      socket = await FuzzSocket.open(wsUrl);
    }
  }
  await socket.close();
  return problems;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean', default: false },
      kind: { type: 'string', default: 'both' },
      cases: { type: 'string', default: '20000' },
      bursts: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '16' },
      'arena-max': { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  if (values.serve) return serve();
  const cases = Number(values.cases);
  const bursts = Number(values.bursts);
  const concurrency = Number(values.concurrency);
  const kinds = values.kind === 'both' ? ['http', 'ws'] : [values.kind!];
  const env = { ...process.env, ...(values['arena-max'] ? { MALLOC_ARENA_MAX: values['arena-max'] } : {}) };
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--expose-gc', '--import', 'tsx'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const hello = await nextMessage(child);
  if (!('url' in hello)) throw new Error('expected the server URL');
  const pid = child.pid!;
  console.log(`serialdeck (pid ${pid}) at ${hello.url}${values['arena-max'] ? ` with MALLOC_ARENA_MAX=${values['arena-max']}` : ''}`);
  console.log('kind  burst  cases  problems  RSS before  RSS peak  RSS after  heapUsed  external  arrayBuffers  (MiB, after a full GC)');
  let crashed = false;
  child.once('exit', (code, signal) => (crashed = code !== 0 || signal !== null));
  for (const kind of kinds) {
    let before = await measure(child);
    for (let burst = 1; burst <= bursts; burst++) {
      const sampler = sampleRss(pid, SAMPLE_MS);
      const seed = Number(values.seed) + burst;
      const problems = kind === 'http' ? await httpBurst(hello.url, cases, concurrency, seed) : await wsBurst(hello.url, cases, seed);
      const peak = Math.max(sampler.stop(), rssMiB(pid));
      const after = await measure(child);
      console.log(
        [kind.padEnd(4), String(burst).padStart(5), String(cases).padStart(6), String(problems).padStart(9), before.rss.toFixed(1).padStart(11), peak.toFixed(1).padStart(9), after.rss.toFixed(1).padStart(10), after.heapUsed.toFixed(1).padStart(9), after.external.toFixed(1).padStart(9), after.arrayBuffers.toFixed(1).padStart(13)].join('  '),
      );
      before = after;
    }
  }
  child.send({ stop: true });
  await once(child, 'exit');
  console.log(crashed ? 'the server exited abnormally' : 'the server stayed up and closed cleanly');
}

await main();
