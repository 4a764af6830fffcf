// Release for flashing, on the emulated Uno through the whole server: `serialdeck release` (the real
// CLI) closes the device and every viewer sees `released`; writes are refused saying so; another
// program opens the pty and talks to the board (as avrdude would); `reclaim` (or the end of the
// time) gives the port back, the board's output flows again, offsets continue, and the capture
// holds the release and the reclaim.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../server/wire/protocol.js';
import { sendRelease } from '../../server/cli-release.js';
import { BOARD_BANNER, BOARD_PROMPT, openPtyTerminal, startEmulatedUno } from '../helpers/emulated-uno.js';
import { messagesOf, request, untilState } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { connect, type TestClient } from '../helpers/ws-client.js';

const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Runs `serialdeck ARGS…` from source; resolves with its exit code and output. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function setup(): Promise<{ srv: TestServer; viewer: TestClient; ptyPath: string }> {
  const uno = await startEmulatedUno();
  cleanups.push(() => uno.stop());
  const srv = await startTestServer({ ports: [{ path: uno.path, id: 'uno' }] });
  cleanups.push(() => srv.close());
  const viewer = await connect(srv.url, { path: 'ws/uno' });
  cleanups.push(() => viewer.close());
  await untilState(viewer, 'open');
  await viewer.untilText(`${BOARD_BANNER}${BOARD_PROMPT}`);
  return { srv, viewer, ptyPath: uno.path };
}

const statuses = (client: TestClient): DeviceStatus[] => messagesOf(client, 'status').map((m) => m.device);

describe('release for flashing (emulated Uno)', () => {
  it('the CLI releases the port; another program uses it; reclaim gives it back and the stream carries on', async () => {
    const { srv, viewer, ptyPath } = await setup();
    const hello = await viewer.message('hello');

    const released = await runCli(['release', 'uno', '--for', '10m', '--url', srv.url]);
    expect(released.stderr).toBe('');
    expect(released.code).toBe(0);
    expect(released.stdout).toMatch(/^uno: released \(released for flashing until \d\d:\d\d:\d\d\)\n$/);
    await untilState(viewer, 'released');
    const status = statuses(viewer).find((s) => s.state === 'released')!;
    expect(status.releasedUntilMs).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(status.message).toMatch(/^released for flashing until \d\d:\d\d:\d\d$/);

    // Writes are refused while released, saying so.
    const refused = await request(srv.url, 'api/ports/uno/write', { method: 'POST', body: 'status\n' });
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({ ok: false, code: 'not-open', written: 0 });
    expect(refused.json<{ error: string }>().error).toContain('released for flashing until');

    // Another program (an uploader) has the device now: the board resets on its open and talks to it.
    const uploader = await openPtyTerminal(ptyPath);
    cleanups.push(() => uploader.close());
    await uploader.readUntil(`${BOARD_BANNER}${BOARD_PROMPT}`);
    await uploader.write('led on\n');
    await uploader.readUntil('OK led on\r\n> ');
    await uploader.close();

    const bytesBefore = viewer.bytes().byteLength;
    const reclaimed = await sendRelease({ kind: 'reclaim', portId: 'uno', url: srv.url, token: null });
    expect(reclaimed).toEqual({ ok: true, text: 'uno: open' });
    await untilState(viewer, 'open');
    // serialdeck's open resets the board too: its banner arrives, then it answers again.
    await viewer.until(() => viewer.text().slice(bytesBefore).includes(`${BOARD_BANNER}${BOARD_PROMPT}`), 'the banner after reclaim');
    viewer.sendBytes('status\n');
    await viewer.until(() => /status uptime_ms=\d+ [^\r]*\r\n> /.test(viewer.text().slice(bytesBefore)), 'a status reply');

    // The stream carried on: one stream, no skip, offsets continuing from the first byte.
    expect(messagesOf(viewer, 'skipped')).toEqual([]);
    const port = (await request(srv.url, 'api/ports/uno')).json<{ stream: { id: string; end: number } }>();
    expect(port.stream.id).toBe(hello.stream);
    expect(port.stream.end).toBe(hello.offset + viewer.bytes().byteLength);

    // The capture holds the release and the reclaim, with who asked, and the device's states.
    const records = (await request(srv.url, 'api/ports/uno/download?format=ndjson')).text().trim().split('\n');
    const events = records.flatMap((line) => {
      const record = JSON.parse(line) as { event?: Record<string, unknown> };
      return record.event ? [record.event] : [];
    });
    const commands = events.filter((e) => e.command === 'release' || e.command === 'reclaim');
    expect(commands.map((e) => [e.command, e.forMs, String(e.source).split('@')[0]])).toEqual([
      ['release', 600_000, 'http'],
      ['reclaim', undefined, 'http'],
    ]);
    expect(JSON.stringify(events)).toContain('"state":"released"');
    expect(viewer.messages.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('takes the port back by itself when the time is up; refuses a release over an hour', async () => {
    const { srv, viewer } = await setup();
    const post = (body: unknown) => request(srv.url, 'api/ports/uno/command', { method: 'POST', body: JSON.stringify(body) });
    const answer = await post({ type: 'release', forMs: 1000 });
    expect(answer.status).toBe(200);
    await untilState(viewer, 'released');
    const mark = viewer.bytes().byteLength;
    await viewer.until(() => statuses(viewer).at(-1)?.state === 'open', 'reopened after 1 s', 15_000);
    await viewer.until(() => viewer.text().slice(mark).includes(BOARD_BANNER), 'the banner after the release ended');
    expect(statuses(viewer).at(-1)?.releasedUntilMs).toBeUndefined();

    // A release that is too long is refused with the limit; a reclaim when not released is harmless.
    const tooLong = await post({ type: 'release', forMs: 7_200_000 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json<{ error: string }>().error).toBe('release: forMs must be an integer from 1000 to 3600000 ms, got 7200000');
    expect((await post({ type: 'reclaim' })).json()).toEqual({ ok: true });
  });
});
