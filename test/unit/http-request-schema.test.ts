// The API's request schemas as the router uses them: a query read into the schema's types, every
// refusal naming its field and the rule in the schema's own numbers, defaults filled in; the rules a
// schema cannot say (bytes of UTF-8, times that parse, ranges in order); and the command schema
// holding the same verdict as the WebSocket's decoder on every command.
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DownloadQuerySchema, MAX_LAST_SECONDS, toDownloadRequest } from '../../server/http/download-query.js';
import { checkInput, headerInput, queryInput } from '../../server/http/request-schema.js';
import { EventsHeadersSchema, EventsQuerySchema, toEventsRequest } from '../../server/http/routes/events-route.js';
import { PortCommandSchema } from '../../server/http/routes/port-command-schema.js';
import { MAX_SEND_LINE_BYTES, SendRequestSchema, toSend } from '../../server/http/routes/send-request.js';
import { MAX_SERIES_POINTS, SeriesQuerySchema, toSeriesRequest } from '../../server/http/routes/series-query.js';
import { MAX_BAUD_RATE, MAX_BREAK_MS, MAX_PACING_DELAY_MS, MAX_RELEASE_MS, MAX_RESET_MS, MIN_RELEASE_MS } from '../../server/wire/limits.js';
import { decodePortCommand } from '../../server/wire/protocol.js';

const query = <T>(schema: Parameters<typeof queryInput>[0], text: string) => checkInput<T>(schema, queryInput(schema, new URLSearchParams(text)), 'parameter');
const refusal = (checked: { ok: boolean; error?: string }): string => (checked.ok ? 'accepted' : checked.error!);

describe('query parameters', () => {
  it('reads integers as numbers, lists split on commas, and leaves the token to the access rules', () => {
    expect(query(SeriesQuerySchema, 'points=600&names=temp,ppm&token=secret')).toEqual({ ok: true, value: { points: 600, names: ['temp', 'ppm'] } });
    expect(query(EventsQuerySchema, 'types=line,record&lastEventId=42')).toEqual({ ok: true, value: { types: ['line', 'record'], lastEventId: 42 } });
  });

  it('fills in defaults from the schema', () => {
    expect(query(DownloadQuerySchema, '')).toEqual({ ok: true, value: { format: 'text', ansi: 'strip' } });
    expect(query(SeriesQuerySchema, '')).toEqual({ ok: true, value: { points: 1000 } });
  });

  it('refuses with the field, the rule in the schema’s numbers, and what was given', () => {
    expect(refusal(query(SeriesQuerySchema, 'points=1'))).toBe(`points must be an integer from 2 to ${MAX_SERIES_POINTS}, got 1`);
    expect(refusal(query(SeriesQuerySchema, 'points=1e3'))).toBe(`points must be an integer from 2 to ${MAX_SERIES_POINTS}, got "1e3"`);
    expect(refusal(query(SeriesQuerySchema, 'names=a,,b'))).toMatch(/^names must be a comma-separated list of at most 256 series names, none empty, got ""$/);
    expect(refusal(query(SeriesQuerySchema, 'window=5'))).toBe('unknown parameter "window"');
    expect(refusal(query(DownloadQuerySchema, 'format=xml'))).toBe('format must be one of raw, text, ndjson, got "xml"');
    expect(refusal(query(DownloadQuerySchema, 'ansi=drop'))).toBe('ansi must be one of strip, keep, got "drop"');
    expect(refusal(query(DownloadQuerySchema, 'from=-1'))).toBe('from must be a stream offset (a whole number), got -1');
    expect(refusal(query(DownloadQuerySchema, `last=${MAX_LAST_SECONDS + 1}`))).toBe(`last must be an integer from 1 to ${MAX_LAST_SECONDS}, got ${MAX_LAST_SECONDS + 1}`);
    expect(refusal(query(DownloadQuerySchema, 'since=yesterday'))).toBe('since must be an ISO 8601 time or ms since the epoch, got "yesterday"');
    expect(refusal(query(EventsQuerySchema, 'types=line,bogus'))).toBe('types must be a comma-separated list of line, record, status, gap, filters, write, got "bogus"');
  });

  it('reads a header by its documented name; an empty one counts as absent', () => {
    const headers = (value: string) => checkInput(EventsHeadersSchema, headerInput(EventsHeadersSchema, (name) => (name === 'Last-Event-ID' ? value : '')), 'header');
    expect(headers(' 17 ')).toEqual({ ok: true, value: { 'Last-Event-ID': 17 } });
    expect(headers('')).toEqual({ ok: true, value: {} });
    expect(refusal(headers('-5'))).toBe('Last-Event-ID must be a stream offset (a whole number), got -5');
    expect(toEventsRequest({ lastEventId: 3 }, { 'Last-Event-ID': 9 })).toMatchObject({ from: 9 });
    expect(toEventsRequest({}, {})).toMatchObject({ from: null });
  });
});

describe('the rules after the schema', () => {
  it('download: times that parse, last or since, a range in order', () => {
    const now = Date.UTC(2025, 10, 30);
    expect(toDownloadRequest({ format: 'raw', last: 60 }, now)).toEqual({ format: 'raw', stripEscapes: true, from: { timeMs: now - 60_000 }, to: null });
    expect(toDownloadRequest({ ansi: 'keep' }, now)).toMatchObject({ format: 'text', stripEscapes: false });
    expect(toDownloadRequest({ from: 10, since: '2025-01-01' }, now)).toMatchObject({ from: { offset: 10 } });
    expect(toDownloadRequest({ last: 60, since: '1000' }, now)).toEqual({ error: 'give last or since, not both' });
    expect(toDownloadRequest({ from: 10, to: 5 }, now)).toEqual({ error: 'to (5) is before from (10)' });
    expect(toDownloadRequest({ until: '2025-13-45' }, now)).toEqual({ error: 'until must be an ISO 8601 time or ms since the epoch, got "2025-13-45"' });
  });

  it('series: a range in order, the last hour by default', () => {
    const now = 10_000_000;
    expect(toSeriesRequest({ points: 10 }, now)).toEqual({ names: null, fromMs: now - 3_600_000, toMs: now, points: 10 });
    expect(toSeriesRequest({ from: '2000', to: '1000' }, now)).toEqual({ error: expect.stringMatching(/is before from/) });
  });

  it('send: the line in bytes of UTF-8 with its ending, the reply’s defaults', () => {
    const body = checkInput<Parameters<typeof toSend>[0]>(SendRequestSchema, { line: 'é', ending: 'crlf' }, 'field');
    expect(body.ok).toBe(true);
    const send = body.ok ? toSend(body.value) : null;
    expect(send).toMatchObject({ bytes: new Uint8Array([0xc3, 0xa9, 13, 10]), until: { quietMs: 300, timeoutMs: 5000, prompt: null } });
    expect(toSend({ line: 'é'.repeat(MAX_SEND_LINE_BYTES / 2 + 1) })).toEqual({ error: expect.stringMatching(/at most 4096 bytes of UTF-8.*got 4098 bytes/) });
    expect(refusal(checkInput(SendRequestSchema, { line: 'x', until: { quietMs: 5 } }, 'field'))).toBe('until.quietMs must be an integer from 10 to 60000, got 5');
    expect(refusal(checkInput(SendRequestSchema, { line: 'x', until: 3 }, 'field'))).toBe('until must be a JSON object, got 3');
    expect(refusal(checkInput(SendRequestSchema, {}, 'field'))).toBe('line is required');
    expect(refusal(checkInput(SendRequestSchema, ['status'], 'field'))).toBe('body must be a JSON object, got an array');
  });
});

describe('the command schema and the WebSocket’s decoder', () => {
  const examples: unknown[] = [
    { type: 'set-baud', baudRate: 9600 },
    { type: 'set-baud', baudRate: MAX_BAUD_RATE + 1 },
    { type: 'set-framing' },
    { type: 'set-framing', parity: 'even', id: 3 },
    { type: 'set-framing', dataBits: '8' },
    { type: 'reset', ms: MAX_RESET_MS },
    { type: 'ack', offset: 1 },
    { type: 'reopen', id: -1 },
    'set-baud',
  ];

  it('agree on hand-picked commands', () => {
    for (const value of examples) expect(Value.Check(PortCommandSchema, value), JSON.stringify(value)).toBe(decodePortCommand(value).ok);
  });

  it('agree on generated commands at and around every limit', () => {
    const edges = (max: number, min = 0) => [min - 1, min, min + 1, max - 1, max, max + 1, 1.5, '8', true, null, undefined, Number.MAX_SAFE_INTEGER + 2];
    const anyValue = fc.constantFrom(
      ...new Set([
        ...edges(MAX_BAUD_RATE, 1),
        ...edges(MAX_PACING_DELAY_MS),
        ...edges(MAX_RESET_MS, 1),
        ...edges(MAX_BREAK_MS, 1),
        ...edges(MAX_RELEASE_MS, MIN_RELEASE_MS),
        5,
        6,
        7,
        8,
        9,
        2,
        'none',
        'odd',
        'even',
        'mark',
        'space',
        'hard',
        'soft',
        'weird',
        false,
      ]),
    );
    const types = fc.constantFrom('set-baud', 'set-signals', 'reset', 'set-pacing', 'reopen', 'set-framing', 'send-break', 'release', 'reclaim', 'ack', 'nope');
    const fields = ['baudRate', 'dtr', 'rts', 'ms', 'charDelayMs', 'lineDelayMs', 'dataBits', 'parity', 'stopBits', 'flow', 'forMs', 'id', 'extra'] as const;
    const command = fc.record({ type: types, ...Object.fromEntries(fields.map((f) => [f, anyValue])) }, { requiredKeys: ['type'] });
    const verdicts = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(command, (value) => {
        const clean = JSON.parse(JSON.stringify(value)) as unknown; // as it arrives: no undefined fields
        const ok = decodePortCommand(clean).ok;
        expect(Value.Check(PortCommandSchema, clean), JSON.stringify(clean)).toBe(ok);
        verdicts[ok ? 'accepted' : 'refused']++;
      }),
      { numRuns: 5000 },
    );
    // Both verdicts were tried often, so agreeing meant something.
    expect(verdicts.accepted).toBeGreaterThan(200);
    expect(verdicts.refused).toBeGreaterThan(200);
  });
});
