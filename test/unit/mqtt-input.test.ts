// Input over MQTT, one module at a time: decoding an InputRequest (server/mqtt/input-request.ts),
// who it is from and what role it gets (authorize-input.ts), and the resume point file (acked-offsets.ts).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AckedOffsetFile } from '../../server/mqtt/acked-offsets.js';
import { authorizeInput } from '../../server/mqtt/authorize-input.js';
import { decodeInputRequest, MAX_INPUT_PAYLOAD_BYTES } from '../../server/mqtt/input-request.js';
import { AccessPolicy } from '../../server/access/access-policy.js';
import { hashToken } from '../../server/access/credentials.js';

const decode = (value: unknown) => decodeInputRequest(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));

describe('decodeInputRequest', () => {
  it('turns text, base64 and commands into commands for the command path', () => {
    const text = decode({ transaction: 't', from: 'node-red', text: 'héllo\n' });
    expect(text).toMatchObject({ ok: true, envelope: { transaction: 't', from: 'node-red' }, command: { type: 'write' } });
    if (text.ok && text.command.type === 'write') expect(Buffer.from(text.command.data).toString()).toBe('héllo\n');
    const raw = decode({ base64: Buffer.from([0, 255, 10]).toString('base64') });
    if (!raw.ok || raw.command.type !== 'write') throw new Error('expected a write');
    expect([...raw.command.data]).toEqual([0, 255, 10]);
    // Its own buffer, so the command path can transfer it to the serial worker.
    expect(raw.command.data.byteOffset).toBe(0);
    expect(raw.command.data.buffer.byteLength).toBe(3);
    expect(decode({ command: { type: 'set-baud', baudRate: 9600, id: 7 } })).toEqual({ ok: true, envelope: {}, command: { type: 'set-baud', baudRate: 9600 } });
  });

  it.each([
    ['{', 'request is not JSON'],
    ['[1]', 'request is not a JSON object'],
    [{ text: 'a', base64: 'YQ==' }, 'give exactly one of command, text, base64, not text and base64'],
    [{}, 'give exactly one of command, text, base64'],
    [{ text: 1 }, 'text must be a string'],
    [{ base64: 'YQ=' }, 'base64 must be standard base64'],
    [{ command: { type: 'nope' } }, 'command: '],
    [{ text: 'a', colour: 'red' }, 'unknown field "colour"'],
    [{ text: 'a', from: 'a b' }, 'from must be 1 to 64'],
    [{ text: 'a', transaction: 5 }, 'transaction must be a string'],
    [{ text: 'a', transaction: 'x'.repeat(129) }, 'transaction must be a string of at most 128 characters'],
  ])('refuses %j: %s', (value, error) => {
    const decoded = decode(value);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toContain(error);
  });

  it('keeps the transaction of a refused request when it had a valid one, and refuses an oversized payload unread', () => {
    expect(decode({ transaction: 'keep', text: 'a', base64: 'YQ==' }).envelope).toEqual({ transaction: 'keep' });
    const big = decodeInputRequest(new Uint8Array(MAX_INPUT_PAYLOAD_BYTES + 1));
    expect(big).toMatchObject({ ok: false, envelope: {}, error: expect.stringContaining('over the') });
  });
});

describe('authorizeInput', () => {
  const open = { tokenPrincipal: () => null, requiresCredentials: false };
  it('gives the configured role to mqtt:<from> on a node that needs no token, capped by read-only', () => {
    expect(authorizeInput({ from: 'bench' }, { access: open, inputRole: 'operator', readOnly: false }, 'p')).toEqual({
      ok: true,
      requester: { source: 'mqtt:bench', name: 'bench', role: 'operator' },
    });
    expect(authorizeInput({}, { access: open, inputRole: 'admin', readOnly: true }, 'p')).toEqual({ ok: true, requester: { source: 'mqtt', name: 'mqtt', role: 'viewer' } });
  });

  it('requires a token when the node has any, and gives the token its role on the port, accountable by name', () => {
    const access = new AccessPolicy({
      token: 'the-node-token',
      tokens: [{ name: 'fleet', hash: hashToken('fleet-console-token'), role: 'viewer', ports: { p: 'operator' } }],
      anonymous: null,
      readOnly: false,
      lockout: { attempts: 10, windowMs: 60_000, durationMs: 60_000 },
    });
    const policy = { access, inputRole: 'operator' as const, readOnly: false };
    expect(authorizeInput({}, policy, 'p')).toMatchObject({ ok: false, code: 'forbidden', message: 'this node requires a token in the request' });
    expect(authorizeInput({ token: 'the-node-tokeN' }, policy, 'p')).toMatchObject({ ok: false, code: 'forbidden', message: 'wrong token' });
    expect(authorizeInput({ token: 'the-node-token' }, policy, 'p')).toMatchObject({ ok: true, requester: { name: 'admin', role: 'admin' } });
    expect(authorizeInput({ token: 'fleet-console-token', from: 'alice' }, policy, 'p')).toEqual({
      ok: true,
      requester: { source: 'mqtt:fleet:alice', name: 'fleet:alice', role: 'operator' },
    });
    expect(authorizeInput({ token: 'fleet-console-token' }, policy, 'q')).toMatchObject({ ok: true, requester: { role: 'viewer' } });
  });
});

describe('AckedOffsetFile', () => {
  let dir = '';
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const key = { streamId: 's1', topic: 'serialdeck/n/p/out' };

  it('keeps the last noted point across a close, for the same stream and topic only', async () => {
    dir = await mkdtemp(join(tmpdir(), 'serialdeck-acked-'));
    const path = join(dir, 'mqtt-acked.json');
    const logs: string[] = [];
    const file = new AckedOffsetFile(path, key, (line) => logs.push(line));
    expect(await file.load()).toBeNull();
    file.note({ offset: 10, nextSeq: 1 });
    file.note({ offset: 25, nextSeq: 2 });
    await file.close();
    expect(await new AckedOffsetFile(path, key, () => undefined).load()).toEqual({ offset: 25, nextSeq: 2 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, ...key, offset: 25, nextSeq: 2 });
    expect(await new AckedOffsetFile(path, { ...key, streamId: 's2' }, () => undefined).load()).toBeNull();
    expect(await new AckedOffsetFile(path, { ...key, topic: 'other/n/p/out' }, () => undefined).load()).toBeNull();

    await writeFile(path, 'garbage');
    expect(await new AckedOffsetFile(path, key, (line) => logs.push(line)).load()).toBeNull();
    expect(logs.at(-1)).toContain('is not JSON');
    expect(logs).toHaveLength(1);
  });
});
