import { describe, expect, it } from 'vitest';
import {
  cleanDisplayName,
  describeFraming,
  decodeClientMessage,
  decodeServerMessage,
  encodeMessage,
  LINE_ENDINGS,
  MAX_DISPLAY_NAME_CHARS,
  PROTOCOL_VERSION,
  type ClientMessage,
  type DeviceStatus,
  type ServerMessage,
} from '../../server/wire/protocol.js';
import { readdirSync, readFileSync } from 'node:fs';
import { DEFAULT_BREAK_MS, DEFAULT_FRAMING, DEFAULT_RELEASE_MS, MAX_BREAK_MS, MAX_RELEASE_MS, MIN_RELEASE_MS } from '../../server/wire/limits.js';

const device: DeviceStatus = {
  state: 'open',
  path: '/dev/ttyACM0',
  baudRate: 115200,
  dtr: true,
  rts: null,
  charDelayMs: 0,
  lineDelayMs: 5,
  message: 'ok',
};

describe('protocol: client → server', () => {
  const valid: ClientMessage[] = [
    { type: 'ack', offset: 0 },
    { type: 'ack', offset: 123456789 },
    { type: 'set-baud', baudRate: 9600 },
    { type: 'set-signals', dtr: false },
    { type: 'set-signals', dtr: true, rts: false },
    { type: 'reset' },
    { type: 'reset', ms: 250 },
    { type: 'set-pacing', charDelayMs: 2, lineDelayMs: 50 },
    { type: 'reopen' },
    { type: 'reopen', id: 3 },
    { type: 'set-baud', baudRate: 20_000_000, id: 0 },
    { type: 'set-baud', baudRate: 31250 }, // MIDI: any rate, not only the common ones
    { type: 'set-framing', dataBits: 7, parity: 'even', stopBits: 2, flow: 'hard', id: 4 },
    { type: 'set-framing', parity: 'mark' },
    { type: 'set-framing', dataBits: 5 },
    { type: 'set-framing', flow: 'soft' },
    { type: 'send-break' },
    { type: 'send-break', ms: MAX_BREAK_MS, id: 5 },
    { type: 'release' },
    { type: 'release', forMs: MIN_RELEASE_MS },
    { type: 'release', forMs: MAX_RELEASE_MS, id: 6 },
    { type: 'reclaim' },
    { type: 'reclaim', id: 7 },
    { type: 'keyboard-request' },
    { type: 'keyboard-request', id: 8 },
    { type: 'keyboard-release' },
    { type: 'keyboard-grant', to: '3', id: 9 },
    { type: 'keyboard-take' },
  ];
  it.each(valid)('round-trips %j', (message) => {
    expect(decodeClientMessage(encodeMessage(message))).toEqual({ ok: true, message });
  });

  const invalid: [string, RegExp][] = [
    ['not json', /JSON/],
    ['[1,2]', /object/],
    ['{"offset":1}', /type/],
    ['{"type":"launch-missiles"}', /unknown message type/],
    ['{"type":"ack","offset":-1}', /offset/],
    ['{"type":"ack","offset":1.5}', /offset/],
    ['{"type":"set-baud","baudRate":0}', /baudRate/],
    ['{"type":"set-baud","baudRate":20000001}', /baudRate must be an integer from 1 to 20000000, got 20000001/],
    ['{"type":"set-baud","baudRate":9007199254740991}', /baudRate/],
    ['{"type":"reopen","id":-1}', /id/],
    ['{"type":"reopen","id":"a"}', /id/],
    ['{"type":"set-baud","baudRate":"9600"}', /baudRate/],
    ['{"type":"set-signals","dtr":"yes"}', /booleans/],
    ['{"type":"reset","ms":0}', /ms/],
    ['{"type":"reset","ms":999999}', /ms/],
    ['{"type":"set-pacing","charDelayMs":1}', /delays/],
    ['{"type":"set-pacing","charDelayMs":1,"lineDelayMs":100000}', /delays/],
    ['{"type":"set-framing"}', /set-framing: give at least one of dataBits, parity, stopBits, flow/],
    ['{"type":"set-framing","dataBits":9}', /set-framing: dataBits must be 5, 6, 7 or 8, got 9/],
    ['{"type":"set-framing","dataBits":"8"}', /dataBits must be 5, 6, 7 or 8, got "8"/],
    ['{"type":"set-framing","parity":"E"}', /parity must be none, odd, even, mark or space, got "E"/],
    ['{"type":"set-framing","stopBits":1.5}', /stopBits must be 1 or 2, got 1.5/],
    ['{"type":"set-framing","flow":"rtscts"}', /flow must be none, hard or soft/],
    ['{"type":"send-break","ms":0}', /send-break: ms must be an integer from 1 to 5000 ms, got 0/],
    ['{"type":"send-break","ms":5001}', /ms must be an integer/],
    ['{"type":"release","forMs":999}', /release: forMs must be an integer from 1000 to 3600000 ms, got 999/],
    ['{"type":"release","forMs":"60s"}', /forMs/],
    ['{"type":"keyboard-grant"}', /keyboard-grant: to must be a connection id/],
    ['{"type":"keyboard-grant","to":7}', /keyboard-grant: to must be a connection id/],
    ['{"type":"keyboard-steal"}', /unknown message type "keyboard-steal"/],
    ['{"type":"keyboard-take","id":-2}', /keyboard-take: id must be a non-negative integer/],
  ];
  it.each(invalid)('rejects %s with a reason', (text, reason) => {
    const decoded = decodeClientMessage(text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(reason);
  });

  it('drops unknown extra fields rather than passing them on', () => {
    expect(decodeClientMessage('{"type":"set-signals","dtr":true,"evil":1}')).toEqual({
      ok: true,
      message: { type: 'set-signals', dtr: true },
    });
  });
});

describe('protocol: server → client', () => {
  const valid: ServerMessage[] = [
    {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      port: 'uno',
      stream: 'abc',
      offset: 42,
      mode: 'lossless',
      readOnly: false,
      device,
      capture: { state: 'capturing', start: 0, startTimeMs: 1764450000000, bytesOnDisk: 42 },
      clients: 3,
    },
    { type: 'result', id: 7, ok: false, code: 'write-queue-full', message: 'queue full', written: 0 },
    { type: 'result', id: 8, ok: true, written: 12 },
    { type: 'capture', capture: { state: 'paused', reason: 'disk full', start: 10, startTimeMs: null, bytesOnDisk: 0 } },
    { type: 'skipped', bytes: 10, offset: 20, reason: 'not-captured' },
    { type: 'status', device: { ...device, state: 'waiting', dtr: null } },
    { type: 'skipped', bytes: 1000, offset: 2042, reason: 'slow-client' },
    { type: 'clients', count: 0 },
    { type: 'error', code: 'read-only', message: 'this serialdeck is read-only' },
    { type: 'error', code: 'not-holder', message: 'not sent: this port takes one writer at a time and alice holds the keyboard; ask for the keyboard' },
    {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      port: 'uno',
      stream: 'abc',
      offset: 0,
      mode: 'live',
      readOnly: false,
      name: 'bob (anonymous)',
      role: 'operator',
      client: '2',
      writers: 'single',
      device,
      capture: { state: 'off', start: 0, startTimeMs: null, bytesOnDisk: 0 },
      clients: 2,
    },
    {
      type: 'who',
      people: [
        { id: '1', name: 'alice', role: 'operator', since: 1764450000000, holdsKeyboard: true },
        { id: '2', name: 'bob (anonymous)', role: 'viewer', since: 1764450001000 },
      ],
    },
    { type: 'keyboard', holder: null, requests: [] },
    { type: 'keyboard', holder: { id: '1', name: 'alice' }, requests: [{ id: '2', name: 'bob' }], change: { kind: 'asked', by: 'bob', to: 'alice' } },
    { type: 'keyboard', holder: { id: '4', name: 'root' }, requests: [], change: { kind: 'forced', by: 'root', from: 'alice' } },
    { type: 'wrote', offset: 2042, writeOffset: 17, name: 'alice', source: 'ws:3@127.0.0.1', text: 'G28', timeMs: 1764450002000 },
  ];
  it.each(valid)('round-trips %j', (message) => {
    expect(decodeServerMessage(encodeMessage(message))).toEqual({ ok: true, message });
  });

  it.each([
    '{"type":"hello","offset":-1}',
    '{"type":"status"}',
    '{"type":"skipped","bytes":"x"}',
    '{"type":"nope"}',
    '{"type":"who"}',
    '{"type":"who","people":[{"id":1}]}',
    '{"type":"keyboard","requests":[]}',
    '{"type":"keyboard","holder":{"id":"1"},"requests":[]}',
    '{"type":"wrote","offset":1,"name":"alice","source":"ws:1@x","text":"G28","timeMs":1}',
    '{"type":"wrote","offset":-1,"writeOffset":0,"name":"alice","source":"ws:1@x","text":"G28","timeMs":1}',
  ])(
    'rejects %s',
    (text) => expect(decodeServerMessage(text).ok).toBe(false),
  );
});

describe('framing and release', () => {
  it('describes speed and framing as tio shows it', () => {
    expect(describeFraming({ baudRate: 115200 })).toBe('115200 8N1');
    expect(describeFraming({ baudRate: 115200, ...DEFAULT_FRAMING })).toBe('115200 8N1');
    expect(describeFraming({ baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 2, flow: 'hard' })).toBe('9600 7E2 RTS/CTS');
    expect(describeFraming({ baudRate: 300, dataBits: 5, parity: 'space', stopBits: 1, flow: 'soft' })).toBe('300 5S1 XON/XOFF');
    expect(describeFraming({ baudRate: 250000, parity: 'mark' })).toBe('250000 8M1');
    expect(describeFraming({ baudRate: 4800, parity: 'odd' })).toBe('4800 8O1');
  });

  it('defaults: a break of 250 ms, a release of a minute', () => {
    expect(DEFAULT_BREAK_MS).toBe(250);
    expect(DEFAULT_RELEASE_MS).toBe(60_000);
  });

  it('a status with framing, signals and a release decodes whole', () => {
    const released: DeviceStatus = {
      ...device,
      state: 'released',
      dtr: null,
      rts: null,
      dataBits: 7,
      parity: 'odd',
      stopBits: 1,
      flow: 'none',
      framing: '115200 7O1',
      signals: 'available',
      releasedUntilMs: 1_764_450_060_000,
      message: 'released for flashing until 21:01:00',
    };
    expect(decodeServerMessage(encodeMessage({ type: 'status', device: released }))).toEqual({
      ok: true,
      message: { type: 'status', device: released },
    });
  });
});

describe('protocol module', () => {
  it('server/wire/ imports nothing outside itself, so the browser client can import it', () => {
    const dir = new URL('../../server/wire/', import.meta.url);
    const files = readdirSync(dir).filter((name) => name.endsWith('.ts'));
    expect(files).toContain('protocol.ts');
    for (const name of files) {
      const source = readFileSync(new URL(name, dir), 'utf8');
      expect(source, name).not.toMatch(/from\s+['"]node:|require\(/);
      for (const [, spec] of source.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)) expect(spec, name).toMatch(/^\.\/[\w-]+\.js$/);
    }
  });

  it('maps line endings to their bytes', () => {
    expect(LINE_ENDINGS).toEqual({ none: '', lf: '\n', cr: '\r', crlf: '\r\n' });
  });
});

describe('protocol: refusals keep the command id', () => {
  it('returns the id of a refused command so its sender can be answered', () => {
    expect(decodeClientMessage('{"type":"set-baud","baudRate":0,"id":9}')).toMatchObject({ ok: false, id: 9 });
    expect(decodeClientMessage('{"type":"set-baud","baudRate":0}')).not.toHaveProperty('id');
    expect(decodeClientMessage('{"type":"set-baud","baudRate":0,"id":-2}')).not.toHaveProperty('id');
  });
});

describe('protocol: display names', () => {
  it.each([
    ['bob', 'bob'],
    ['  Bob   Smith  ', 'Bob Smith'],
    ["O'Brien-Müller", "O'Brien-Müller"],
    ['Zoë 李', 'Zoë 李'],
    ['<script>alert(1)</script>', 'script alert 1 script'],
    ['a\u0000b\u202ec\nd', 'a b c d'],
    ['', ''],
    ['***', ''],
  ])('cleans %j to %j', (given, shown) => {
    expect(cleanDisplayName(given)).toBe(shown);
  });

  it(`cuts a long name to ${MAX_DISPLAY_NAME_CHARS} characters, never splitting one`, () => {
    expect(cleanDisplayName('x'.repeat(100))).toBe('x'.repeat(MAX_DISPLAY_NAME_CHARS));
    expect([...cleanDisplayName('😀'.repeat(40) + 'a')].length).toBeLessThanOrEqual(MAX_DISPLAY_NAME_CHARS);
    expect(cleanDisplayName('é'.repeat(40))).toBe('é'.repeat(MAX_DISPLAY_NAME_CHARS));
  });
});
