// The audit trail's entries: writes (bytes exact, offsets once, restored after a restart), outcomes,
// control changes, refusals, logins; who may read which; memory only without a data directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../server/audit/audit-trail.js';
import { AUDIT_DEFAULTS, type AuditEntry } from '../../server/audit/audit-types.js';
import { previewText, toBase64 } from '../../server/audit/write-text.js';
import type { DeviceCommand, Requester } from '../../server/ports/command-path.js';

const alice: Requester = { source: 'ws:1@10.0.0.2', name: 'alice', role: 'operator' };
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function entries(trail: AuditTrail, visible: (port: string | null) => boolean = () => true): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const line of trail.lines({ visible })) out.push(JSON.parse(line) as AuditEntry);
  return out;
}

function write(trail: AuditTrail, port: string, bytes: number[], who = alice, written = bytes.length): void {
  const watcher = trail.commandWatcher(port, () => 500);
  const command: DeviceCommand = { type: 'write', data: new Uint8Array(bytes) };
  const done = watcher.posting?.(command, who);
  done?.({ ok: true, written });
}

describe('AuditTrail', () => {
  it('records a write before it goes, exactly (base64), with its write offset, and its outcome', async () => {
    const trail = await AuditTrail.open({ dataDir: null, settings: AUDIT_DEFAULTS, log: () => {}, now: () => Date.parse('2025-02-01T10:00:00.123Z') });
    const notes: unknown[] = [];
    trail.onWrite((port, note) => notes.push({ port, ...note }));
    write(trail, 'uno', [0x47, 0x32, 0x38, 0x0d, 0x0a]);
    write(trail, 'uno', [0x00, 0xff, 0x1b]);
    write(trail, 'esp', [0x41]);
    const got = await entries(trail);
    expect(got[0]).toMatchObject({ kind: 'audit-start', port: null, who: null, source: 'server' });
    const writes = got.filter((e) => e.kind === 'write');
    expect(writes.map((e) => [e.port, e.details.writeOffset, e.details.length])).toEqual([['uno', 0, 5], ['uno', 5, 3], ['esp', 0, 1]]);
    expect(writes[0]).toEqual({
      time: '2025-02-01T10:00:00.123Z',
      port: 'uno',
      who: 'alice',
      source: 'ws:1@10.0.0.2',
      kind: 'write',
      details: { writeOffset: 0, length: 5, streamOffset: 500, base64: 'RzI4DQo=', text: 'G28\\r\\n' },
    });
    expect(Buffer.from(String(writes[1]!.details.base64), 'base64')).toEqual(Buffer.from([0x00, 0xff, 0x1b]));
    expect(got.filter((e) => e.kind === 'write-result').map((e) => e.details)).toEqual([
      { writeOffset: 0, length: 5, written: 5, ok: true },
      { writeOffset: 5, length: 3, written: 3, ok: true },
      { writeOffset: 0, length: 1, written: 1, ok: true },
    ]);
    expect(notes[0]).toEqual({ port: 'uno', offset: 500, writeOffset: 0, name: 'alice', source: 'ws:1@10.0.0.2', text: 'G28', timeMs: Date.parse('2025-02-01T10:00:00.123Z') });
  });

  it('encodes entries after the write has gone, in order, each with the time it happened', async () => {
    let nowMs = Date.parse('2025-02-01T10:00:00.000Z');
    const trail = await AuditTrail.open({ dataDir: null, settings: AUDIT_DEFAULTS, log: () => {}, now: () => nowMs });
    const watcher = trail.commandWatcher('uno', () => 7);
    const done = watcher.posting?.({ type: 'write', data: Uint8Array.from([0x41, 0x0a]) }, alice);
    nowMs += 5;
    done?.({ ok: true, written: 2 });
    nowMs += 5;
    trail.attached('uno', 'bob', 'ws:2@10.0.0.3', { via: 'ws' });
    const got = (await entries(trail)).filter((e) => e.port === 'uno');
    expect(got.map((e) => [e.kind, e.time])).toEqual([
      ['write', '2025-02-01T10:00:00.000Z'],
      ['write-result', '2025-02-01T10:00:00.005Z'],
      ['attach', '2025-02-01T10:00:00.010Z'],
    ]);
    expect(got[0]!.details).toMatchObject({ streamOffset: 7, base64: 'QQo=' });
  });

  it('records control changes with their result, refusals, failed logins and lockouts', async () => {
    const trail = await AuditTrail.open({ dataDir: null, settings: AUDIT_DEFAULTS, log: () => {} });
    const watcher = trail.commandWatcher('uno', () => 0);
    const done = watcher.posting?.({ type: 'set-baud', baudRate: 9600, id: 4 } as DeviceCommand, { ...alice, role: 'admin' });
    done?.({ ok: false, code: 'device', message: 'EINVAL' });
    watcher.refused?.({ type: 'write', data: new Uint8Array(3) }, { ...alice, role: 'viewer' }, { ok: false, code: 'read-only', message: 'no' });
    trail.failedLogin('10.0.0.9', 'wrong token', 0);
    trail.failedLogin('10.0.0.9', 'wrong token', 300_000);
    const got = await entries(trail);
    expect(got.find((e) => e.kind === 'control')?.details).toEqual({ command: 'set-baud', baudRate: 9600, ok: false, code: 'device', message: 'EINVAL' });
    expect(got.find((e) => e.kind === 'refused')?.details).toEqual({ command: 'write', length: 3, ok: false, code: 'read-only', message: 'no' });
    expect(got.filter((e) => e.kind === 'login-failed')).toHaveLength(2);
    expect(got.find((e) => e.kind === 'lockout')).toMatchObject({ port: null, who: null, source: 'login@10.0.0.9', details: { address: '10.0.0.9', durationMs: 300_000 } });
  });

  it('shows each reader only the ports they may see', async () => {
    const trail = await AuditTrail.open({ dataDir: null, settings: AUDIT_DEFAULTS, log: () => {} });
    write(trail, 'uno', [1]);
    write(trail, 'esp', [2]);
    const unoOnly = await entries(trail, (port) => port === 'uno');
    expect(unoOnly.length).toBe(2);
    expect(unoOnly.every((e) => e.port === 'uno')).toBe(true);
  });

  it('keeps write offsets across a restart: the newest file restores them', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'serialdeck-trail-'));
    dirs.push(dataDir);
    const first = await AuditTrail.open({ dataDir, settings: AUDIT_DEFAULTS, log: () => {} });
    write(first, 'uno', [1, 2, 3]);
    write(first, 'esp', [4]);
    await first.close();
    const second = await AuditTrail.open({ dataDir, settings: AUDIT_DEFAULTS, log: () => {} });
    write(second, 'uno', [5]);
    const writes = (await entries(second)).filter((e) => e.kind === 'write');
    expect(writes.map((e) => [e.port, e.details.writeOffset])).toEqual([['uno', 0], ['esp', 0], ['uno', 3]]);
    await second.close();
  });

  it('keeps at most memoryBytes in memory without a data directory', async () => {
    const trail = await AuditTrail.open({ dataDir: null, settings: { ...AUDIT_DEFAULTS, memoryBytes: 4096 }, log: () => {} });
    for (let i = 0; i < 100; i++) write(trail, 'uno', [i]);
    const got = await entries(trail);
    expect(got.reduce((sum, e) => sum + JSON.stringify(e).length, 0)).toBeLessThanOrEqual(4096);
    expect(got.at(-1)).toMatchObject({ kind: 'write-result', details: { writeOffset: 99 } });
  });
});

describe('write text', () => {
  it('round-trips every byte through base64 and previews them printably', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Buffer.from(toBase64(all), 'base64')).toEqual(Buffer.from(all));
    expect(previewText(new TextEncoder().encode('M104 S200\r\n'), 200, true)).toBe('M104 S200');
    expect(previewText(Uint8Array.from([0x1b, 0x5b, 0x41, 0x5c]))).toBe('\\x1b[A\\\\');
    expect(previewText(new TextEncoder().encode('x'.repeat(300)), 10)).toBe(`${'x'.repeat(10)}…`);
    expect(previewText(Uint8Array.from([0xff, 0x41]))).toBe('\uFFFDA');
  });
});
