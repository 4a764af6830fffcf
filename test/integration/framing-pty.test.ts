// Serial framing, speed, HUPCL and break on a real pty, read back with `stty -F` on the pty that
// serialdeck opened (the socat link resolved to its /dev/pts/N), after open and after a change at
// run time; and set-framing through the whole server's HTTP API.
// What a Linux pty cannot hold is asserted too: it forces cs8 -parenb whatever it is asked (the
// kernel's pty_set_termios), so data bits and parity are checked through what serialdeck reports
// it kept; parodd, cmspar, cstopb, crtscts, ixon, ixoff and hupcl stay as set and are read back.
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { SerialOptions } from '../../server/serial/messages.js';
import { createPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { request, untilState } from '../helpers/ports-api.js';
import { recordSerial, type SerialRecorder } from '../helpers/serial-recorder.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { connect } from '../helpers/ws-client.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function pair(): Promise<PtyPair> {
  const created = await createPtyPair();
  cleanups.push(() => created.close());
  return created;
}

function open(path: string, options: Partial<SerialOptions> = {}): SerialRecorder {
  const recorder = recordSerial(path, options);
  cleanups.push(() => recorder.handle.close());
  return recorder;
}

/** The words of `stty -F <the pty behind path> -a`: flags as `cstopb` / `-cstopb`, and the speed. */
async function sttyOf(path: string): Promise<{ flags: Set<string>; speed: number }> {
  const device = await realpath(path);
  const { stdout } = await promisify(execFile)('stty', ['-F', device, '-a']);
  return { flags: new Set(stdout.split(/[\s;]+/)), speed: Number(/speed (\d+) baud/.exec(stdout)?.[1]) };
}

/** The answer to command `id` from the worker. */
function resultOf(recorder: SerialRecorder, id: number) {
  return recorder.until(() => recorder.messages.find((m) => m.type === 'result' && m.id === id), `the result of ${id}`);
}

describe('framing on a pty, read back with stty', () => {
  it('opens with the configured framing: stop bits, parity sense, CMSPAR and flow control are what was asked', async () => {
    const pty = await pair();
    const port = open(pty.devicePath, { dataBits: 7, parity: 'mark', stopBits: 2, flow: 'hard' });
    const status = await port.statusSince(0, 'open');
    const { flags } = await sttyOf(pty.devicePath);
    for (const flag of ['cstopb', 'parodd', 'cmspar', 'crtscts', '-ixon', '-ixoff']) expect(flags).toContain(flag);
    // The pty forced 8 bits and no parity; serialdeck shows that, and says so.
    expect(flags).toContain('cs8');
    expect(flags).toContain('-parenb');
    expect(status).toMatchObject({ dataBits: 8, parity: 'none', stopBits: 2, flow: 'hard', framing: '115200 8N2 RTS/CTS' });
    expect(status.message).toContain('kept 8 data bits, parity none');
    expect(port.messages.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('changes framing while open without reopening: flags change, the stream and the lock stay, bytes flow both ways', async () => {
    const pty = await pair();
    const port = open(pty.devicePath, { stopBits: 2, flow: 'hard', parity: 'odd' });
    await port.statusSince(0, 'open');
    expect((await sttyOf(pty.devicePath)).flags).toContain('crtscts');
    const mark = port.messages.length;
    port.handle.post({ type: 'set-framing', stopBits: 1, flow: 'soft', parity: 'space', id: 1 });
    const result = await resultOf(port, 1);
    // Space parity is refused in part: the pty keeps no parity (and says what it kept).
    expect(result).toMatchObject({ ok: false, error: { code: 'ENOTSUP', message: expect.stringContaining('kept parity none') } });
    const { flags } = await sttyOf(pty.devicePath);
    for (const flag of ['-cstopb', '-crtscts', 'ixon', 'ixoff', '-parodd', 'cmspar']) expect(flags).toContain(flag);
    expect(port.handle.status).toMatchObject({ state: 'open', stopBits: 1, flow: 'soft', framing: '115200 8N1 XON/XOFF' });
    // Not reopened: no status went through opening.
    expect(port.messages.slice(mark).some((m) => m.type === 'status' && m.status.state !== 'open')).toBe(false);

    port.handle.post({ type: 'set-framing', flow: 'none', stopBits: 2, parity: 'none', id: 2 });
    expect(await resultOf(port, 2)).toMatchObject({ ok: true });
    const after = (await sttyOf(pty.devicePath)).flags;
    for (const flag of ['cstopb', '-ixon', '-ixoff', '-crtscts']) expect(after).toContain(flag);
    await pty.board.write('after the change\n');
    await port.until(() => (new TextDecoder().decode(port.received()).includes('after the change') ? true : undefined), 'the board');
    port.handle.post({ type: 'write', data: new TextEncoder().encode('and back\n') });
    expect(await pty.board.readUntil('and back\n')).toBe('and back\n');
  });

  it('opens at a non-standard speed (termios2 BOTHER), and changes between standard and non-standard ones', async () => {
    const pty = await pair();
    const port = open(pty.devicePath, { baudRate: 31250 });
    expect(await port.statusSince(0, 'open')).toMatchObject({ baudRate: 31250, framing: '31250 8N1' });
    // glibc's stty (before 2.42) cannot name a BOTHER speed and prints 0; a newer one prints it.
    expect([0, 31250]).toContain((await sttyOf(pty.devicePath)).speed);
    port.handle.post({ type: 'set-baud', baudRate: 230400, id: 1 });
    expect(await resultOf(port, 1)).toMatchObject({ ok: true });
    expect((await sttyOf(pty.devicePath)).speed).toBe(230400);
    port.handle.post({ type: 'set-baud', baudRate: 12345, id: 2 });
    expect(await resultOf(port, 2)).toMatchObject({ ok: true });
    expect([0, 12345]).toContain((await sttyOf(pty.devicePath)).speed);
    expect(port.handle.status.framing).toBe('12345 8N1');
    expect(port.messages.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('clears HUPCL when DTR is not wanted (bug 7), and otherwise leaves it as the device has it', async () => {
    const hupcl = async (path: string, on: boolean) => promisify(execFile)('stty', ['-F', await realpath(path), on ? 'hupcl' : '-hupcl']);
    const pty = await pair();
    await hupcl(pty.devicePath, true); // as a previous user (or the kernel's default termios) left it
    const noDtr = open(pty.devicePath, { dtr: false, rts: false });
    await noDtr.statusSince(0, 'open');
    expect((await sttyOf(pty.devicePath)).flags).toContain('-hupcl');
    await noDtr.handle.close();
    // It persists on the device for later opens.
    expect((await sttyOf(pty.devicePath)).flags).toContain('-hupcl');

    const other = await pair();
    await hupcl(other.devicePath, true);
    const withDtr = open(other.devicePath);
    await withDtr.statusSince(0, 'open');
    expect((await sttyOf(other.devicePath)).flags).toContain('hupcl');
    await withDtr.handle.close();
    // A `stty -hupcl` the user gave (to keep DTR up across restarts) is not undone by opening.
    await hupcl(other.devicePath, false);
    const again = open(other.devicePath);
    await again.statusSince(0, 'open');
    expect((await sttyOf(other.devicePath)).flags).toContain('-hupcl');
  });

  it('refuses a break on a pty with a clear reason, and stays open', async () => {
    const pty = await pair();
    const port = open(pty.devicePath);
    await port.statusSince(0, 'open');
    port.handle.post({ type: 'send-break', ms: 100, id: 1 });
    expect(await resultOf(port, 1)).toMatchObject({
      ok: false,
      error: { code: 'ENOTTY', message: expect.stringMatching(/is a pseudo-terminal: it cannot send a break$/) },
    });
    expect(port.handle.status).toMatchObject({ state: 'open', signals: 'unsupported' });
  });
});

describe('framing through the server', () => {
  let srv: TestServer;
  it('POST /api/ports/ID/command set-framing: applied and shown to every viewer; a bad value is 400 naming the limit', async () => {
    const pty = await pair();
    srv = await startTestServer({ ports: [{ path: pty.devicePath, name: 'f', flow: 'soft' }] });
    cleanups.push(() => srv.close());
    const viewer = await connect(srv.url, { path: 'ws/f' });
    cleanups.push(() => viewer.close());
    await untilState(viewer, 'open');
    expect((await sttyOf(pty.devicePath)).flags).toContain('ixoff');
    const post = (body: unknown) => request(srv.url, 'api/ports/f/command', { method: 'POST', body: JSON.stringify(body) });

    const ok = await post({ type: 'set-framing', stopBits: 2, flow: 'hard' });
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({ ok: true });
    const { flags } = await sttyOf(pty.devicePath);
    for (const flag of ['cstopb', 'crtscts', '-ixoff']) expect(flags).toContain(flag);
    await viewer.until(
      () => viewer.messages.some((m) => m.type === 'status' && m.device.framing === '115200 8N2 RTS/CTS'),
      'the new framing in a status',
    );

    const bad = await post({ type: 'set-framing', dataBits: 9 });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'bad-request', error: 'set-framing: dataBits must be 5, 6, 7 or 8, got 9' });
  });
});
