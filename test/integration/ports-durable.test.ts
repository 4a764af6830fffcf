// Durable offsets across server restarts, on a real pty. A clean restart keeps the stream id and
// continues at the same end offset, so a client resumes exactly and a late one replays it all from
// disk. A kill -9 of the server process mid-stream (the CLI run as a child) loses at most what
// the board sent in the stated flush window: the resuming client gets the captured rest from disk,
// a `skipped` (lost) over the offsets the crash reserved, then the new output, nothing repeated.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPTURE_LIMITS } from '../../server/capture/capture-options.js';
import { type PtyPair } from '../helpers/pty-pair.js';
import { getPort, messagesOf, numberedLines, request, untilState } from '../helpers/ports-api.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { startTestServer } from '../helpers/test-server.js';
import { cleanupAfterEach } from '../helpers/cleanup-stack.js';

const stack = cleanupAfterEach();
const pty = stack.pty;
const client = stack.client;
const dataDir = () => stack.tempDir('serialdeck-durable-');


/** A pty board and a kept data directory; `serve()` starts a server on them (closed after the test), as often as a test restarts it. */
async function keptPort(port: { scrollback?: number } = {}) {
  const board = await pty();
  const input = { ports: [{ path: board.devicePath, name: 'p', ...port }], dataDir: await dataDir() };
  const serve = async () => {
    const server = await startTestServer(input);
    stack.defer(() => server.close());
    return server;
  };
  return { board, serve };
}

describe('a clean restart', () => {
  it('keeps the stream id and end offset: a client resumes exactly, a late one replays it all from disk', async () => {
    const { board, serve } = await keptPort();
    const first = await serve();
    const before = await client(first.url, 'ws/p');
    await untilState(before, 'open');
    const hello = await before.message('hello');
    await board.board.write('one\r\n');
    await before.untilText('one\r\n');
    expect(before.text()).toBe('one\r\n');
    const stream = hello.stream;
    const offset = hello.offset + before.bytes().length;
    await first.close();
    expect((await before.closed).code).toBe(1001);

    const second = await serve();
    expect((await getPort(second.url, 'p')).stream).toEqual({ id: stream, end: offset });
    const fresh = await client(second.url, 'ws/p');
    const freshHello = await fresh.message('hello');
    expect(freshHello.stream).toBe(stream);
    expect(freshHello.offset).toBe(offset); // the stream continues at the same end
    await untilState(fresh, 'open');

    const resumed = await client(second.url, 'ws/p', `offset=${offset}&stream=${stream}`);
    expect((await resumed.message('hello')).offset).toBe(offset);
    await board.board.write('two\r\n');
    await resumed.untilText('two\r\n');
    await fresh.untilText('two\r\n');
    expect(resumed.text()).toBe('two\r\n');
    expect(fresh.text()).toBe('two\r\n');

    const late = await client(second.url, 'ws/p', `offset=0&stream=${stream}`);
    await late.untilText('two\r\n');
    expect((await late.message('hello')).offset).toBe(0);
    expect(late.text()).toBe('one\r\ntwo\r\n');
    expect(messagesOf(late, 'skipped')).toEqual([]);
  });

  it('gives a live client (a page) what passed while it was away across the restart, from disk, then new output', async () => {
    const { board, serve } = await keptPort();
    const first = await serve();
    const page = await client(first.url, 'ws/p', 'mode=live');
    const hello = await page.message('hello');
    await untilState(page, 'open');
    await board.board.write('seen\r\n');
    await page.untilText('seen\r\n');
    const offset = hello.offset + page.bytes().length;
    await page.close();
    // The board talks after the page left: a lossless reader shows those bytes reached the server.
    const witness = await client(first.url, 'ws/p');
    await board.board.write('while-away\r\n');
    await witness.untilText('while-away\r\n');
    await first.close();

    const second = await serve();
    const back = await client(second.url, 'ws/p', `mode=live&offset=${offset}&stream=${hello.stream}`);
    expect((await back.message('hello')).offset).toBe(offset);
    await back.untilText('while-away\r\n');
    await untilState(back, 'open'); // opening a tty drops what the board wrote before it
    await board.board.write('after\r\n');
    await back.untilText('after\r\n');
    expect(back.text()).toBe('while-away\r\nafter\r\n');
    expect(messagesOf(back, 'skipped')).toEqual([]);
  });

  it('skips a live client that resumes older than a scrollback\'s worth, saying it fell behind', async () => {
    const scrollback = 64 * 1024;
    const { board, serve } = await keptPort({ scrollback });
    const first = await serve();
    const witness = await client(first.url, 'ws/p');
    const hello = await witness.message('hello');
    await untilState(witness, 'open');
    const lines = numberedLines(0, (2 * scrollback) / 64); // two scrollbacks' worth
    await board.board.write(lines);
    await witness.until(() => witness.bytes().length === lines.length, 'every line');
    await first.close();

    const second = await serve();
    const back = await client(second.url, 'ws/p', `mode=live&offset=${hello.offset}&stream=${hello.stream}`);
    await untilState(back, 'open');
    await board.board.write('after\r\n');
    await back.untilText('after\r\n');
    expect(messagesOf(back, 'skipped')).toEqual([{ type: 'skipped', bytes: scrollback, offset: hello.offset + scrollback, reason: 'slow-client' }]);
    expect(back.bytes().equals(Buffer.concat([lines.subarray(scrollback), Buffer.from('after\r\n')]))).toBe(true);
  });
});

/** Lines the generator writes per board write: 16 × 64 bytes = 1 KiB. */
const LINES_PER_WRITE = 16;
/** Pause between the generator's writes, in ms: pacing (~0.5 MiB/s), not synchronisation. */
const WRITE_GAP_MS = 1;
/** How long the board streams before the kill, in ms: more than the loss window below, so the bound bites. */
const STREAM_BEFORE_KILL_MS = 3000;
/** The stated loss bound: two flush intervals plus 100 ms of slack for the pty and the scheduler. */
const LOSS_WINDOW_MS = 2 * DEFAULT_CAPTURE_LIMITS.flushIntervalMs + 100;

/** How long a resuming client may wait, on a quiet port, to be told of the gap a crash left, in ms: a few flush intervals. */
const QUIET_SKIP_DEADLINE_MS = 3 * DEFAULT_CAPTURE_LIMITS.flushIntervalMs;

/** The board writing numbered 64-byte lines flat out, remembering what it sent and when each write was taken. */
class LineGenerator {
  /** Every byte written or being written, in order. */
  private readonly chunks: Buffer[] = [];
  /** After each completed write: the time and the bytes taken by the pty so far. */
  readonly marks: { atMs: number; total: number }[] = [];
  private stopped = false;
  private nextLine = 0;
  readonly finished: Promise<void>;

  constructor(private readonly board: PtyPair['board']) {
    this.finished = this.run();
  }

  /** Everything the board wrote (or is writing), in order. */
  get sent(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Bytes the pty had taken by `timeMs`. */
  takenBy(timeMs: number): number {
    let total = 0;
    for (const mark of this.marks) if (mark.atMs <= timeMs) total = mark.total;
    return total;
  }

  /** Stops after the write in progress (which may only finish once someone reads the pty again). */
  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    let total = 0;
    while (!this.stopped) {
      const chunk = numberedLines(this.nextLine, LINES_PER_WRITE);
      this.nextLine += LINES_PER_WRITE;
      this.chunks.push(chunk);
      await this.board.write(chunk);
      total += chunk.length;
      this.marks.push({ atMs: Date.now(), total });
      await new Promise((resolve) => setTimeout(resolve, WRITE_GAP_MS));
    }
  }
}

describe('kill -9 of the server mid-stream', () => {
  it('loses at most the flush window; a resuming client gets the captured rest, a lost skip, then new output, nothing repeated', async () => {
    const board = await pty();
    const dir = await dataDir();
    const args = [board.devicePath, '--data-dir', dir];
    const id = 'device'; // from the pair's path, …/device
    let server: ServerProcess = await startServerProcess(args);
    stack.defer(() => server.kill('SIGKILL'));

    const reader = await client(server.url, `ws/${id}`);
    await untilState(reader, 'open');
    const hello = await reader.message('hello');
    expect(hello.offset).toBe(0); // a new data directory: the stream starts at 0
    const startedAt = Date.now();
    const generator = new LineGenerator(board.board);
    await reader.until(
      () => Date.now() - startedAt >= STREAM_BEFORE_KILL_MS && reader.bytes().length > 0,
      `${STREAM_BEFORE_KILL_MS} ms of streaming`,
      STREAM_BEFORE_KILL_MS + 10_000,
    );

    const killedAt = Date.now();
    expect(await server.kill('SIGKILL')).toBe('SIGKILL');
    generator.stop();
    await reader.closed;
    const got = reader.bytes();
    const sentBeforeKill = generator.takenBy(killedAt);
    // What the client had is exactly the start of what the board sent.
    expect(got.length).toBeGreaterThan(0);
    expect(got.equals(generator.sent.subarray(0, got.length))).toBe(true);

    server = await startServerProcess(args);
    const resumed = await client(server.url, `ws/${id}`, `offset=${got.length}&stream=${hello.stream}`);
    const helloAfter = await resumed.message('hello');
    expect(helloAfter.stream).toBe(hello.stream);
    expect(helloAfter.offset).toBe(got.length);
    await generator.finished; // a write the kill interrupted completes once the new server reads the pty

    // The client is told of the crash's gap while the board is still quiet, not only once new
    // output arrives. (Soft: the rest of the crash's account is checked either way.)
    const toldWhileQuiet = await resumed
      .until(() => messagesOf(resumed, 'skipped').length > 0, 'a skipped notice while the board is quiet', QUIET_SKIP_DEADLINE_MS)
      .then(() => true, () => false);
    expect.soft(toldWhileQuiet, 'a client resuming inside the lost gap gets its skipped notice without waiting for new output').toBe(true);

    // The board talks again after the restart, once the device is open (opening a tty flushes its queue).
    await untilState(resumed, 'open');
    const fresh = numberedLines(9_000_000, 32, 64, 'new!');
    await board.board.write(fresh);
    await resumed.until(() => resumed.bytes().includes(fresh.subarray(-64)), 'the new lines');
    const skips = messagesOf(resumed, 'skipped');
    expect(skips).toHaveLength(1);
    const skipped = skips[0]!;
    expect(skipped.reason).toBe('lost');
    const newStart = skipped.offset; // where the stream continues after the crash
    const capturedEnd = newStart - skipped.bytes;

    // The capture's own account of the crash: the server-start event names the lost offsets.
    const download = await request(server.url, `api/ports/${id}/download?format=ndjson&from=0`);
    expect(download.status).toBe(200);
    const records = download
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; offset: number; event?: Record<string, unknown>; text?: string });
    const starts = records.filter((r) => r.kind === 'event' && r.event?.type === 'server-start');
    expect(starts.at(-1)?.event).toMatchObject({ lostTo: newStart, offset: newStart });
    const lostFrom = starts.at(-1)!.event!.lostFrom as number;
    expect(capturedEnd).toBe(Math.max(got.length, lostFrom));
    expect(records.some((r) => r.kind === 'event' && r.event?.type === 'capture-recovery' && r.event.from === lostFrom)).toBe(true);
    expect(server.stderr()).toContain(`unclean shutdown; offsets ${lostFrom}..${newStart} were reserved but hold no data`);

    // Nothing the board sent in time was lost by the capture: it holds at least everything sent
    // before the loss window, byte for byte.
    const sent = generator.sent;
    const safe = generator.takenBy(killedAt - LOSS_WINDOW_MS);
    expect(safe).toBeGreaterThan(0);
    expect(lostFrom).toBeGreaterThanOrEqual(safe);
    expect(lostFrom).toBeLessThanOrEqual(sent.length);

    // The resumed client: from disk [its offset, captured end), exactly; then the skip; then output
    // from after the restart: any tail of the board's old lines the pty still held, then the new lines.
    const after = resumed.bytes();
    const diskPart = Math.max(0, lostFrom - got.length);
    expect(after.subarray(0, diskPart).equals(sent.subarray(got.length, got.length + diskPart))).toBe(true);
    const live = after.subarray(diskPart);
    expect(live.subarray(live.length - fresh.length).equals(fresh)).toBe(true);
    const leftover = live.subarray(0, live.length - fresh.length);
    const holdsBefore = Math.max(got.length, lostFrom); // bytes of `sent` the client holds before the gap
    let leftoverAt = sent.length; // where in `sent` the old lines delivered after the restart start
    if (leftover.length > 0) {
      // Old lines delivered after the restart must come after everything the client had: no repeats.
      leftoverAt = sent.indexOf(leftover.subarray(0, 64), holdsBefore);
      expect(leftoverAt).toBeGreaterThanOrEqual(holdsBefore);
      expect(leftover.equals(sent.subarray(leftoverAt, leftoverAt + leftover.length))).toBe(true);
    }
    // No line repeated, none reordered, over the whole of what the client saw.
    const all = Buffer.concat([got, after]);
    const numbers = [...all.toString('latin1').matchAll(/line (\d{9}) /g)].map((m) => Number(m[1]));
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]!);

    // What the client lost: board bytes sent before the kill that it never got; at most the window's worth.
    const missing = (from: number, to: number) => Math.max(0, Math.min(to, sentBeforeKill) - from);
    const lost = missing(holdsBefore, leftoverAt) + missing(leftoverAt + leftover.length, Infinity);
    expect(lost).toBeLessThanOrEqual(sentBeforeKill - safe);
  });
});
