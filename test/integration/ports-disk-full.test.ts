// Disk full under a whole server: its data directory on a 2 MiB tmpfs (the tests run as root),
// almost filled by a ballast file. Streaming from a pty until the capture cannot write must
// pause it visibly (the API's capture state with a reason, a `capture` message to clients) while
// the console keeps working live; deleting the ballast lets it resume by itself, and the capture
// then records how many bytes it missed, holding everything else exactly.
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PAUSE_RETRY_MS } from '../../server/capture/capture-store.js';
import { createPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { getPort, messagesOf, numberedLines, request, untilState } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { connect, type TestClient } from '../helpers/ws-client.js';
import { fillDisk, mountSmallDisk, unmountSmallDisk } from '../helpers/small-disk.js';

let mountPoint = '';

beforeAll(async () => {
  mountPoint = await mountSmallDisk(2, 'serialdeck-ports-full-');
});

afterAll(async () => {
  await unmountSmallDisk(mountPoint);
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Room left beside the ballast, in bytes: less than one flush of the stream below, so capture soon hits ENOSPC. */
const ROOM_BYTES = 64 * 1024;
/** The board writes this many 64-byte lines per write (4 KiB) … */
const LINES_PER_WRITE = 64;
/** … with this pause between writes, in ms: pacing (~200 KiB/s), not synchronisation. */
const WRITE_GAP_MS = 20;


describe('a full disk under the server', () => {
  it('pauses capture visibly, keeps the console live, resumes by itself and records what it missed', { timeout: 60_000 }, async () => {
    const board: PtyPair = await createPtyPair();
    cleanups.push(() => board.close());
    const dataDir = join(mountPoint, 'data');
    const srv: TestServer = await startTestServer({ ports: [{ path: board.devicePath, name: 'f' }], dataDir });
    cleanups.push(() => srv.close());
    const viewer: TestClient = await connect(srv.url, { path: 'ws/f' });
    cleanups.push(() => viewer.close());
    await untilState(viewer, 'open');
    const base = (await viewer.message('hello')).offset;

    const filler = await fillDisk(mountPoint, ROOM_BYTES);
    // The board streams numbered lines until told to stop.
    const chunks: Buffer[] = [];
    let stop = false;
    const streaming = (async () => {
      for (let line = 0; !stop; line += LINES_PER_WRITE) {
        const chunk = numberedLines(line, LINES_PER_WRITE);
        chunks.push(chunk);
        await board.board.write(chunk);
        await new Promise((resolve) => setTimeout(resolve, WRITE_GAP_MS));
      }
    })();
    const sent = () => Buffer.concat(chunks);

    await viewer.until(() => messagesOf(viewer, 'capture').some((m) => m.capture.state === 'paused'), 'capture paused', 15_000);
    const pausedMessage = messagesOf(viewer, 'capture').find((m) => m.capture.state === 'paused')!;
    expect(pausedMessage.capture.reason).toMatch(/ENOSPC|no space/i);
    const paused = await getPort(srv.url, 'f');
    expect(paused.capture.state).toBe('paused');
    expect(paused.capture.reason).toMatch(/ENOSPC|no space/i);

    // The console keeps working while paused: output arrives live, typing reaches the board.
    const seen = viewer.bytes().length;
    await viewer.until(() => viewer.bytes().length >= seen + 8 * 1024, 'more output while paused');
    viewer.sendBytes('typed while paused\n');
    expect(await board.board.readUntil('typed while paused\n')).toBe('typed while paused\n');

    // Space comes back: capture resumes by itself.
    await unlink(filler);
    await viewer.until(
      () => messagesOf(viewer, 'capture').at(-1)?.capture.state === 'capturing',
      'capture resumed',
      5 * PAUSE_RETRY_MS,
    );
    expect((await getPort(srv.url, 'f')).capture.state).toBe('capturing');
    const resumedAt = viewer.bytes().length;
    await viewer.until(() => viewer.bytes().length >= resumedAt + 8 * 1024, 'output after the resume');
    stop = true;
    await streaming;
    const all = sent();
    await viewer.until(() => viewer.bytes().length >= all.length, 'everything the board sent');
    expect(viewer.bytes().equals(all)).toBe(true); // every byte live, paused or not

    // The capture's account: a resume event with the bytes it could not capture…
    const ndjson = await request(srv.url, 'api/ports/f/download?format=ndjson');
    const records = ndjson
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; offset: number; event?: Record<string, unknown> });
    const resume = records.find((r) => r.kind === 'event' && r.event?.type === 'capture-resume');
    expect(resume).toBeDefined();
    const { from, to, uncapturedBytes } = resume!.event as { from: number; to: number; uncapturedBytes: number };
    expect(uncapturedBytes).toBeGreaterThan(0);
    expect(uncapturedBytes).toBe(to - from);
    expect(resume!.event!.reason).toMatch(/ENOSPC|no space/i);
    expect(resume!.event!.droppedWrites).toBe(1); // the line typed while paused went to the board, not to disk
    // … and, around that gap, exactly what the board sent.
    const raw = await request(srv.url, 'api/ports/f/download?format=raw');
    const local = (offset: number) => offset - base;
    expect(raw.body.equals(Buffer.concat([all.subarray(0, local(from)), all.subarray(local(to))]))).toBe(true);
  });
});
