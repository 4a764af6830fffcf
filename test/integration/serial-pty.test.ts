// The real serial path end to end: a socat pty pair as the device, a real worker thread owning
// it through createSerialHandle, bytes checked exactly in both directions, and hot-plug.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { SerialHandle } from '../../server/serial/handle.js';
import type { SerialOptions, WireError } from '../../server/serial/messages.js';
import { createPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { recordSerial } from '../helpers/serial-recorder.js';

/** A recorded handle on `path`, closed after the test, with this file's waits on top. */
function open(path: string, options: Partial<SerialOptions> = {}, onWorker?: (worker: Worker) => void) {
  const recorder = recordSerial(path, options, onWorker);
  const { handle, messages, received, until } = recorder;
  handles.push(handle);
  return {
    handle,
    messages,
    received,
    until,
    /** Index to pass to statusSince()/errorSince(): only messages after it count. */
    mark: () => messages.length,
    statusSince: recorder.statusSince,
    errorSince: (mark: number) =>
      until(
        () => messages.slice(mark).find((m): m is { type: 'error'; error: WireError } => m.type === 'error')?.error,
        'an error',
      ),
    bytes: (count: number) => until(() => (received().byteLength >= count ? received() : undefined), `${count} bytes`),
    text: (text: string) =>
      until(() => (new TextDecoder().decode(received()).includes(text) ? true : undefined), JSON.stringify(text)),
  };
}

const handles: SerialHandle[] = [];
const pairs: PtyPair[] = [];
async function pair(): Promise<PtyPair> {
  const created = await createPtyPair();
  pairs.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
  await Promise.all(pairs.splice(0).map((p) => p.close()));
});

const allByteValues = () => Uint8Array.from({ length: 256 }, (_, i) => i);

describe('serial worker on a real pty', () => {
  it('moves data through a worker-owned port (serialport’s poller would abort the process here)', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    await pty.board.write(allByteValues());
    const received = await port.bytes(256);
    expect(received).toEqual(allByteValues());
    for (const message of port.messages) {
      if (message.type === 'data') expect(message.data.buffer.byteLength).toBe(message.data.byteLength);
    }
  });

  it('writes all 256 byte values to the device byte-exact', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    port.handle.post({ type: 'write', data: allByteValues() });
    expect(await pty.board.readBytes(256)).toEqual(allByteValues());
  });

  it('carries 128 KiB each way at once without losing or reordering a byte', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    const down = new Uint8Array(randomBytes(128 * 1024));
    const up = new Uint8Array(randomBytes(128 * 1024));
    // Posted in 4 KiB frames, as browsers would send a paste; the board writes its own stream meanwhile.
    for (let offset = 0; offset < down.byteLength; offset += 4096) {
      port.handle.post({ type: 'write', data: down.slice(offset, offset + 4096) });
    }
    const [atBoard] = await Promise.all([pty.board.readBytes(down.byteLength), pty.board.write(up)]);
    expect(Buffer.from(atBoard).equals(Buffer.from(down))).toBe(true);
    const atHost = await port.bytes(up.byteLength);
    expect(Buffer.from(atHost).equals(Buffer.from(up))).toBe(true);
  });

  it('says quietly that a pty has no modem lines (no error, on any open), refuses a reset, and keeps moving data', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    expect(await port.statusSince(0, 'open')).toMatchObject({ dtr: null, rts: null, signals: 'unsupported' });
    port.handle.post({ type: 'open', id: 1 });
    await port.until(() => port.messages.find((m) => m.type === 'result' && m.id === 1), 'the reopen');
    expect(port.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(port.handle.status.message).toBeUndefined();
    const mark = port.mark();
    port.handle.post({ type: 'set-signals', pulseMs: 50 });
    const refusal = await port.errorSince(mark);
    expect(refusal.code).toBe('ENOTTY');
    expect(refusal.message).toContain('has no modem lines (a pseudo-terminal)');
    port.handle.post({ type: 'write', data: new TextEncoder().encode('still here') });
    expect(await pty.board.readUntil('still here')).toBe('still here');
    expect(port.handle.status.state).toBe('open');
  });

  it('changes the baud rate while open', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    port.handle.post({ type: 'set-baud', baudRate: 9600 });
    await port.until(() => (port.handle.status.baudRate === 9600 ? true : undefined), 'baud 9600');
    expect(port.handle.status.state).toBe('open');
    await pty.board.write('at 9600');
    await port.text('at 9600');
  });

  it('paces writes: with a line delay the next line waits', async () => {
    const pty = await pair();
    const port = open(pty.devicePath, { lineDelayMs: 300 });
    await port.statusSince(0, 'open');
    const chunks: string[] = [];
    pty.board.onData((chunk) => chunks.push(new TextDecoder().decode(chunk)));
    port.handle.post({ type: 'write', data: new TextEncoder().encode('one\ntwo\n') });
    await pty.board.readUntil('two\n');
    expect(chunks[0]).toBe('one\n');
  });

  it('holds the port exclusively: a second handle waits until the first closes', async () => {
    const pty = await pair();
    const first = open(pty.devicePath);
    await first.statusSince(0, 'open');
    const second = open(pty.devicePath);
    expect((await second.statusSince(0, 'waiting')).message).toContain('in use by another program');
    await first.handle.close();
    await second.statusSince(0, 'open');
    await pty.board.write('to the second');
    await second.text('to the second');
  });

  it('close() closes the device, is safe to call twice, and leaves status closed', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    await Promise.all([port.handle.close(), port.handle.close()]);
    await port.handle.close();
    expect(port.handle.status.state).toBe('closed');
    // The device is free again: another handle can take it.
    const next = open(pty.devicePath);
    await next.statusSince(0, 'open');
  });
});

describe('hot-plug', () => {
  it('waits for a device that is missing at start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'serialdeck-missing-'));
    try {
      const port = open(join(dir, 'ttyACM0'));
      const status = await port.statusSince(0, 'waiting');
      expect(status.message).toBe(`waiting for ${join(dir, 'ttyACM0')}: device not present`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens a device that appears later at the waited-for path', async () => {
    const pty = await pair();
    await pty.unplug();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'waiting');
    await pty.replug();
    await port.statusSince(0, 'open');
    await pty.board.write('hello');
    await port.text('hello');
  });

  it('unplugged mid-line: keeps the bytes, waits, reopens on replug, and data flows both ways again', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    await pty.board.write('temp=21.');
    await port.text('temp=21.');
    const mark = port.mark();
    await pty.unplug();
    expect((await port.statusSince(mark, 'waiting')).message).toContain('disconnected');
    await pty.replug();
    await port.statusSince(mark, 'open');
    await pty.board.write('4\n');
    await port.text('temp=21.4\n');
    port.handle.post({ type: 'write', data: new TextEncoder().encode('ping\n') });
    expect(await pty.board.readUntil('ping\n')).toBe('ping\n');
  });

  it('restarts a worker that dies, says so, reopens the device, and keeps the settings', async () => {
    const pty = await pair();
    const workers: Worker[] = [];
    const port = open(pty.devicePath, {}, (worker) => workers.push(worker));
    await port.statusSince(0, 'open');
    port.handle.post({ type: 'set-baud', baudRate: 57600 });
    await port.until(() => (port.handle.status.baudRate === 57600 ? true : undefined), 'baud 57600');
    const mark = port.mark();
    await workers[0]?.terminate();
    const restarting = await port.statusSince(mark, 'restarting');
    expect(restarting.message).toMatch(/^serial worker stopped \(.+\); restarting in \d+ ms$/);
    const reopened = await port.statusSince(mark, 'open');
    expect(reopened.baudRate).toBe(57600);
    expect(workers).toHaveLength(2);
    await pty.board.write('after restart');
    await port.text('after restart');
  });
});
