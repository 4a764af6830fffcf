// Writes through the real path (handle → worker → session → write queue → node-port) into a socat
// pty: every byte in order at full speed, a flood of small writes, a write stalled by a device
// that does not read, and how each command with an id is answered when a write is cut short.
import { constants, open as fsOpen } from 'node:fs';
import { ReadStream } from 'node:tty';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { SerialHandle } from '../../server/serial/handle.js';
import type { CommandResult, SerialOptions } from '../../server/serial/messages.js';
import { WRITE_QUEUE_MAX_BYTES } from '../../server/serial/write-queue.js';
import { createPtyPair, type PtyPair, type PtyPairOptions } from '../helpers/pty-pair.js';
import { recordSerial } from '../helpers/serial-recorder.js';

const handles: SerialHandle[] = [];
const pairs: PtyPair[] = [];
const boards: ReadStream[] = [];

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
  for (const board of boards.splice(0)) board.destroy();
  await Promise.all(pairs.splice(0).map((p) => p.close()));
});

async function pair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const created = await createPtyPair(options);
  pairs.push(created);
  return created;
}

function open(path: string, options: Partial<SerialOptions> = {}, onWorker?: (worker: Worker) => void) {
  const recorder = recordSerial(path, options, onWorker);
  handles.push(recorder.handle);
  return recorder;
}

/** A pattern that shows any loss, duplication or reordering: each 4-byte word is its own offset. */
function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  for (let offset = 0; offset + 4 <= length; offset += 4) view.setUint32(offset, offset);
  return bytes;
}

/**
 * The board's end opened by the test and not read until resume(): a device that takes nothing,
 * so the pty fills and a long write from serialdeck stalls (socat blocks on it).
 */
async function stalledBoard(boardPath: string) {
  const fd = await new Promise<number>((resolve, reject) =>
    fsOpen(boardPath, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK, (error, opened) =>
      error ? reject(error) : resolve(opened),
    ),
  );
  const stream = new ReadStream(fd); // manual start: reads nothing until a 'data' listener is added
  stream.on('error', () => undefined); // EIO once socat is gone: that is the unplug
  boards.push(stream);
  return {
    send: (text: string) =>
      new Promise<void>((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve()))),
  };
}

describe('writes into a pty', () => {
  it('carries 8 MiB with no pacing, every byte in order, each write answered once with its count', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    const total = 8 * 1024 * 1024;
    const chunkBytes = 64 * 1024;
    const windowWrites = 32; // 2 MiB in flight: well under WRITE_QUEUE_MAX_BYTES, so nothing is refused
    const data = pattern(total);
    // Collected here, not by readBytes (which joins its buffer per chunk: quadratic over 8 MiB).
    const chunks: Buffer[] = [];
    let arrivedBytes = 0;
    const arrived = new Promise<Buffer>((resolve) => {
      pty.board.onData((chunk) => {
        chunks.push(Buffer.from(chunk));
        arrivedBytes += chunk.byteLength;
        pty.board.discard();
        if (arrivedBytes >= total) resolve(Buffer.concat(chunks));
      });
    });
    let id = 0;
    for (let offset = 0; offset < total; offset += chunkBytes) {
      if (id >= windowWrites) await port.result(id - windowWrites);
      port.handle.post({ type: 'write', data: data.slice(offset, offset + chunkBytes), id: id++ });
    }
    const atBoard = await arrived;
    expect(atBoard.equals(Buffer.from(data))).toBe(true);
    await port.result(id - 1);
    for (let n = 0; n < id; n++) expect(port.results(n)).toEqual([{ type: 'result', id: n, ok: true, written: chunkBytes }]);
    // No errors at all: a pty's missing modem lines are said in the status (signals: unsupported), not as an error.
    expect(port.messages.filter((m) => m.type === 'error')).toEqual([]);
  }, 90_000);

  it('takes 32,000 small writes posted back to back without refusing one, and keeps their order', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    const count = 32_000;
    const frames = Array.from({ length: count }, (_, n) => new TextEncoder().encode(`${String(n).padStart(6, '0')}|`));
    const expected = Buffer.concat(frames.map((frame) => Buffer.from(frame)));
    expect(expected.byteLength).toBeLessThan(WRITE_QUEUE_MAX_BYTES);
    const arrived = pty.board.readBytes(expected.byteLength, 60_000);
    frames.forEach((frame, n) => port.handle.post({ type: 'write', data: frame, id: n }));
    expect(Buffer.from(await arrived).equals(expected)).toBe(true);
    let answered = 0;
    let scanned = 0;
    const refused: CommandResult[] = [];
    await port.until(() => {
      for (; scanned < port.messages.length; scanned++) {
        const message = port.messages[scanned];
        if (message?.type !== 'result') continue;
        answered++;
        if (!message.ok) refused.push(message);
      }
      return answered >= count ? true : undefined;
    }, `${count} results`);
    expect(refused).toEqual([]);
    expect(answered).toBe(count);
  }, 90_000);

  it('keeps reading while a long write waits for a device that takes nothing, and close() stops the write', async () => {
    const pty = await pair({ openBoard: false, relayChunkBytes: 1 }); // so socat still relays the board's ping
    const board = await stalledBoard(pty.boardPath);
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    const total = 1024 * 1024; // far more than the pty and socat buffer between them
    port.handle.post({ type: 'write', data: pattern(total), id: 1 });
    port.handle.post({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 0, id: 2 });
    await port.result(2); // the worker has begun the write
    await board.send('ping from the board');
    await port.until(() => (new TextDecoder().decode(port.received()).includes('ping from the board') ? true : undefined), 'the ping');
    expect(port.results(1)).toEqual([]); // still waiting for room
    await port.handle.close();
    const [result] = port.results(1);
    // Answered by the worker itself (a terminated worker's ids get no count): the write stopped at close.
    expect(result).toMatchObject({ ok: false, error: { code: 'closed' } });
    expect(result?.written).toBeGreaterThan(0);
    expect(result?.written).toBeLessThan(total);
  });

  it('unplugged mid-write: the write is answered with the disconnect and how many of its bytes got out', async () => {
    const pty = await pair({ openBoard: false });
    await stalledBoard(pty.boardPath);
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    const total = 1024 * 1024;
    port.handle.post({ type: 'write', data: pattern(total), id: 1 });
    port.handle.post({ type: 'write', data: pattern(10), id: 2 });
    // Answered after the worker took both writes (and began the first): the unplug comes mid-write.
    port.handle.post({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 0, id: 3 });
    await port.result(3);
    const mark = port.messages.length;
    await pty.unplug();
    const result = await port.result(1);
    expect(result).toMatchObject({ ok: false, error: { code: 'EIO', disconnected: true } });
    expect(result.written).toBeGreaterThan(0);
    expect(result.written).toBeLessThan(total);
    expect(await port.result(2)).toMatchObject({ ok: false, written: 0, error: { code: 'EIO' } });
    await port.statusSince(mark, 'waiting');
    expect(port.messages.slice(mark).filter((m) => m.type === 'error')).toEqual([]); // no broadcast for them
    expect(port.results(1)).toHaveLength(1);
  });

  it('a keystroke behind nothing is answered ok at once, and data carries its arrival time', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    port.handle.post({ type: 'write', data: Uint8Array.of(0x61), id: 7 });
    expect(await port.result(7)).toEqual({ type: 'result', id: 7, ok: true, written: 1 });
    expect(await pty.board.readBytes(1)).toEqual(Uint8Array.of(0x61));
    const before = Date.now();
    await pty.board.write('one');
    await port.until(() => (port.received().byteLength >= 3 ? true : undefined), 'one');
    await pty.board.write('two');
    await port.until(() => (port.received().byteLength >= 6 ? true : undefined), 'two');
    const times = port.messages.flatMap((m) => (m.type === 'data' ? [m.timeMs] : []));
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect(times[0]).toBeGreaterThanOrEqual(before - 1);
    expect(times.every((time, n) => n === 0 || time >= (times[n - 1] ?? 0))).toBe(true);
    expect(times.at(-1)).toBeLessThanOrEqual(Date.now() + 1);
  });
});

describe('the handle answers what the worker cannot', () => {
  it('answers outstanding ids when the worker dies, and commands posted while it restarts', async () => {
    const pty = await pair({ openBoard: false });
    await stalledBoard(pty.boardPath);
    const workers: Worker[] = [];
    const port = open(pty.devicePath, {}, (worker) => workers.push(worker));
    await port.statusSince(0, 'open');
    port.handle.post({ type: 'write', data: pattern(1024 * 1024), id: 1 }); // stalls: no answer yet
    port.handle.post({ type: 'set-pacing', charDelayMs: 0, lineDelayMs: 0, id: 2 });
    await port.result(2);
    const mark = port.messages.length;
    await workers[0]?.terminate();
    const died = await port.result(1);
    expect(died).toMatchObject({ ok: false, error: { code: 'worker-exited' } });
    expect(died.written).toBeUndefined(); // unknowable: the worker took its count with it
    await port.statusSince(mark, 'restarting');
    port.handle.post({ type: 'write', data: Uint8Array.of(1, 2, 3), id: 3 });
    port.handle.post({ type: 'set-baud', baudRate: 57600, id: 4 });
    port.handle.post({ type: 'set-baud', baudRate: 0, id: 5 });
    port.handle.post({ type: 'set-signals', pulseMs: 10, id: 6 });
    expect(port.results(3)).toEqual([]); // never answered from within post()
    expect(await port.result(3)).toMatchObject({ ok: false, written: 0, error: { code: 'not-open' } });
    expect(await port.result(4)).toEqual({ type: 'result', id: 4, ok: true });
    expect(await port.result(5)).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    expect(await port.result(6)).toMatchObject({ ok: false, error: { code: 'not-open' } });
    const reopened = await port.statusSince(mark, 'open');
    expect(reopened.baudRate).toBe(57600);
    for (const id of [1, 2, 3, 4, 5, 6]) expect(port.results(id)).toHaveLength(1);
  });

  it('answers a command posted after close() with closed', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    await port.handle.close();
    port.handle.post({ type: 'open', id: 1 });
    expect(await port.result(1)).toMatchObject({ ok: false, error: { code: 'closed' } });
  });
});
