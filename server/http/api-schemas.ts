// The API's answers as schemas, for the OpenAPI document. The types themselves are written in
// server/wire/api.ts and protocol.ts (browser-safe: the client imports them, so they cannot be
// built from TypeBox); `agrees` below makes the compiler refuse any schema that drifts from them,
// and the integration test checks real answers against the served document.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type {
  CaptureStatus,
  CommandErrorCode,
  CommandResult,
  DeviceInfo,
  GapData,
  LatestResponse,
  LegacyStatus,
  LineData,
  PortFilters,
  PortSummary,
  RecordData,
  SendResult,
  SeriesResponse,
  TicketResponse,
  WhoAmI,
  WriteNote,
} from '../wire/api.js';
import { AUDIT_KINDS, type AuditEntry } from '../audit/audit-types.js';
import { DOWNLOAD_FORMATS, RECORD_FORMATS } from '../wire/api.js';
import { LineFilterSchema } from '../ports/port-filters.js';
import { DATA_BITS, FLOW_CONTROLS, PARITIES, STOP_BITS } from '../wire/limits.js';
import type { DeviceStatus } from '../wire/protocol.js';
import { ROLES } from '../wire/roles.js';
import { literals, streamOffset } from './schema-helpers.js';

/** Why a command was refused or failed (CommandErrorCode), with the HTTP status each gets. */
export const COMMAND_ERROR_STATUS = {
  'read-only': 403,
  forbidden: 403,
  'not-holder': 409,
  'not-open': 409,
  'write-queue-full': 503,
  'bad-request': 400,
  device: 502,
  timeout: 504,
} as const satisfies Record<CommandErrorCode, number>;

const CommandErrorCodeSchema = literals(Object.keys(COMMAND_ERROR_STATUS) as Array<keyof typeof COMMAND_ERROR_STATUS>, {
  description: 'read-only: watch-only for you (a viewer); forbidden: your role does not allow it; not-holder: a single-writer port whose keyboard you do not hold; not-open: the device is not open; write-queue-full; bad-request: malformed or out of range; device: the device refused or failed; timeout: no answer from the serial worker.',
});

/** Every error answer: `{error}`, with `code` where a command was refused. */
export const ErrorSchema = Type.Object({ error: Type.String(), code: Type.Optional(CommandErrorCodeSchema) }, { $id: 'Error' });

const DeviceStatusSchema = Type.Object(
  {
    state: literals(['opening', 'open', 'waiting', 'closed', 'restarting', 'released'] as const),
    path: Type.String(),
    baudRate: Type.Integer({ minimum: 0 }),
    dtr: Type.Union([Type.Boolean(), Type.Null()]),
    rts: Type.Union([Type.Boolean(), Type.Null()]),
    charDelayMs: Type.Integer({ minimum: 0 }),
    lineDelayMs: Type.Integer({ minimum: 0 }),
    message: Type.Optional(Type.String()),
    dataBits: Type.Optional(literals(DATA_BITS)),
    parity: Type.Optional(literals(PARITIES)),
    stopBits: Type.Optional(literals(STOP_BITS)),
    flow: Type.Optional(literals(FLOW_CONTROLS)),
    framing: Type.Optional(Type.String({ examples: ['115200 8N1'] })),
    signals: Type.Optional(literals(['available', 'unsupported', 'unknown'] as const)),
    releasedUntilMs: Type.Optional(Type.Number()),
  },
  { $id: 'DeviceStatus' },
);

const CaptureStatusSchema = Type.Object(
  {
    state: literals(['capturing', 'paused', 'off'] as const),
    reason: Type.Optional(Type.String()),
    start: streamOffset(),
    startTimeMs: Type.Union([Type.Number(), Type.Null()]),
    bytesOnDisk: Type.Integer({ minimum: 0 }),
  },
  { $id: 'CaptureStatus' },
);

const PortSummarySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    device: DeviceStatusSchema,
    clients: Type.Integer({ minimum: 0 }),
    stream: Type.Object({ id: Type.String(), end: streamOffset() }),
    capture: CaptureStatusSchema,
    wsPath: Type.String(),
    node: Type.Optional(Type.String()),
    online: Type.Optional(Type.Boolean()),
  },
  { $id: 'PortSummary' },
);

const DeviceInfoSchema = Type.Object(
  {
    path: Type.String(),
    manufacturer: Type.Optional(Type.String()),
    serialNumber: Type.Optional(Type.String()),
    vendorId: Type.Optional(Type.String()),
    productId: Type.Optional(Type.String()),
    byIdPath: Type.Optional(Type.String()),
    servedAs: Type.Optional(Type.String()),
  },
  { $id: 'DeviceInfo' },
);

const LegacyStatusSchema = Type.Object(
  {
    port: Type.String(),
    device: DeviceStatusSchema,
    clients: Type.Integer({ minimum: 0 }),
    stream: Type.Object({ id: Type.String(), start: streamOffset(), end: streamOffset() }),
    capture: CaptureStatusSchema,
    readOnly: Type.Boolean(),
  },
  { $id: 'LegacyStatus' },
);

const written = Type.Optional(Type.Integer({ minimum: 0, description: 'For writes: bytes that reached the device.' }));
const CommandRefusalSchema = Type.Object(
  { ok: Type.Literal(false), code: CommandErrorCodeSchema, message: Type.String(), error: Type.String({ description: 'The same as message.' }), written },
  { $id: 'CommandRefusal' },
);
const CommandDoneSchema = Type.Object({ ok: Type.Literal(true), written }, { $id: 'CommandDone' });

const LineDataSchema = Type.Object(
  {
    offset: streamOffset(),
    endOffset: streamOffset(),
    time: Type.String({ description: 'Arrival of the first byte, ISO 8601, UTC.' }),
    timeMs: Type.Number({ description: 'ms since the epoch (with a fraction: arrival times are read from a monotonic clock).' }),
    text: Type.String(),
    partial: Type.Boolean(),
    cut: Type.Optional(literals(['max-length', 'gap'] as const)),
  },
  { $id: 'LineData' },
);

const FieldValue = Type.Union([Type.Number(), Type.String(), Type.Boolean()]);
const RecordDataSchema = Type.Object(
  {
    offset: streamOffset(),
    endOffset: streamOffset(),
    timeMs: Type.Number(),
    format: literals(RECORD_FORMATS),
    fields: Type.Record(Type.String(), FieldValue),
    units: Type.Optional(Type.Record(Type.String(), Type.String())),
    deviceTimeMs: Type.Optional(Type.Record(Type.String(), Type.Number())),
  },
  { $id: 'RecordData' },
);
const GapDataSchema = Type.Object({ from: streamOffset(), to: streamOffset() }, { $id: 'GapData' });

const SendDoneSchema = Type.Object(
  { ok: Type.Literal(true), written: Type.Integer({ minimum: 0 }), reply: Type.Array(LineDataSchema), endedBy: literals(['quiet', 'prompt', 'timeout', 'limit'] as const) },
  { $id: 'SendDone' },
);

const SeriesResponseSchema = Type.Object(
  {
    names: Type.Array(Type.String()),
    from: Type.Number(),
    to: Type.Number(),
    series: Type.Array(Type.Object({ name: Type.String(), times: Type.Array(Type.Number()), values: Type.Array(Type.Number()), count: Type.Integer({ minimum: 0 }) })),
  },
  { $id: 'SeriesResponse' },
);

const LatestResponseSchema = Type.Object(
  {
    fields: Type.Array(Type.Object({ name: Type.String(), value: FieldValue, timeMs: Type.Number(), unit: Type.Optional(Type.String()) })),
    stats: Type.Object({
      lines: Type.Integer({ minimum: 0 }),
      records: Type.Integer({ minimum: 0 }),
      text: Type.Integer({ minimum: 0 }),
      byFormat: Type.Record(literals(RECORD_FORMATS), Type.Integer({ minimum: 0 })),
      partials: Type.Integer({ minimum: 0 }),
      gapBytes: Type.Integer({ minimum: 0 }),
      offset: streamOffset(),
    }),
  },
  { $id: 'LatestResponse' },
);

const PortFiltersSchema = Type.Object(
  {
    filters: Type.Array(LineFilterSchema),
    persisted: Type.Boolean({ description: 'false: the server has no data directory (--no-capture), so the filters last until it stops.' }),
    updatedMs: Type.Union([Type.Number(), Type.Null()], { description: 'When the list was last replaced, ms since the epoch; null if never.' }),
  },
  { $id: 'PortFilters' },
);

const RoleSchema = literals(ROLES, { description: 'viewer: watches; operator: also writes; admin: also changes the port, its settings, and reads the audit.' });
const TicketResponseSchema = Type.Object(
  {
    ticket: Type.String({ description: 'Put it in a WebSocket or EventSource URL as ?ticket=; it works once.' }),
    expiresInMs: Type.Integer({ minimum: 0 }),
  },
  { $id: 'TicketResponse' },
);
const WhoAmISchema = Type.Object(
  {
    name: Type.String(),
    via: literals(['token', 'anonymous'] as const),
    roles: Type.Record(Type.String(), RoleSchema, { description: 'Role per port id, for the ports the asker may watch.' }),
  },
  { $id: 'WhoAmI' },
);

const WriteNoteSchema = Type.Object(
  {
    offset: streamOffset({ description: 'The stream offset the write came at: shown after the output before it.' }),
    writeOffset: Type.Integer({ minimum: 0, description: "Where the write begins in the port's written bytes (as in the audit): names it once." }),
    name: Type.String({ description: 'Who wrote it.' }),
    source: Type.String({ description: 'The way in: ws:4@192.168.1.20, http@…' }),
    text: Type.String({ description: 'A printable preview: control characters escaped, a trailing line ending dropped, at most 200 characters.' }),
    timeMs: Type.Number({ description: 'When, in ms since the epoch.' }),
  },
  { $id: 'WriteNote' },
);
const WritesResponseSchema = Type.Object({ writes: Type.Array(WriteNoteSchema) }, { $id: 'WritesResponse' });
const AuditEntrySchema = Type.Object(
  {
    time: Type.String({ description: 'ISO 8601 UTC with milliseconds.' }),
    port: Type.Union([Type.String(), Type.Null()], { description: 'The port; null for the server as a whole (logins, the log itself).' }),
    who: Type.Union([Type.String(), Type.Null()], { description: "A token's name, admin (--token), anonymous; null when nobody was identified." }),
    source: Type.String({ description: 'The way in: ws:4@addr, http@addr, sse@addr, login@addr, server.' }),
    kind: literals(AUDIT_KINDS),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'By kind: see docs/security.md, Audit.' }),
  },
  { $id: 'AuditEntry' },
);

/** Named schemas, printed once under components.schemas and referred to by `$id`. */
export const API_SCHEMAS = {
  Error: ErrorSchema,
  DeviceStatus: DeviceStatusSchema,
  CaptureStatus: CaptureStatusSchema,
  PortSummary: PortSummarySchema,
  DeviceInfo: DeviceInfoSchema,
  LegacyStatus: LegacyStatusSchema,
  CommandDone: CommandDoneSchema,
  CommandRefusal: CommandRefusalSchema,
  LineData: LineDataSchema,
  RecordData: RecordDataSchema,
  GapData: GapDataSchema,
  SendDone: SendDoneSchema,
  SeriesResponse: SeriesResponseSchema,
  LatestResponse: LatestResponseSchema,
  PortFilters: PortFiltersSchema,
  TicketResponse: TicketResponseSchema,
  WhoAmI: WhoAmISchema,
  WriteNote: WriteNoteSchema,
  WritesResponse: WritesResponseSchema,
  AuditEntry: AuditEntrySchema,
} as const satisfies Record<string, TSchema>;

/** Formats a download can take, for its response's media types. */
export const DOWNLOAD_MEDIA_TYPES: Record<(typeof DOWNLOAD_FORMATS)[number], string> = {
  raw: 'application/octet-stream',
  text: 'text/plain; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

// The compiler checks each schema against its wire type: same keys, each assignable to the other.
type Agrees<S extends TSchema, T> = [Static<S>] extends [T] ? ([T] extends [Static<S>] ? ([keyof Static<S>] extends [keyof T] ? ([keyof T] extends [keyof Static<S>] ? true : false) : false) : false) : false;
const agrees: {
  DeviceStatus: Agrees<typeof DeviceStatusSchema, DeviceStatus>;
  CaptureStatus: Agrees<typeof CaptureStatusSchema, CaptureStatus>;
  PortSummary: Agrees<typeof PortSummarySchema, PortSummary>;
  DeviceInfo: Agrees<typeof DeviceInfoSchema, DeviceInfo>;
  LegacyStatus: Agrees<typeof LegacyStatusSchema, LegacyStatus>;
  LineData: Agrees<typeof LineDataSchema, LineData>;
  RecordData: Agrees<typeof RecordDataSchema, RecordData>;
  GapData: Agrees<typeof GapDataSchema, GapData>;
  CommandResult: Agrees<typeof CommandDoneSchema, Extract<CommandResult, { ok: true }>>;
  SendDone: Agrees<typeof SendDoneSchema, Extract<SendResult, { ok: true }>>;
  SendRefused: Agrees<typeof CommandRefusalSchema, Extract<SendResult, { ok: false }>>;
  SeriesResponse: Agrees<typeof SeriesResponseSchema, SeriesResponse>;
  LatestResponse: Agrees<typeof LatestResponseSchema, LatestResponse>;
  PortFilters: Agrees<typeof PortFiltersSchema, PortFilters>;
  TicketResponse: Agrees<typeof TicketResponseSchema, TicketResponse>;
  WhoAmI: Agrees<typeof WhoAmISchema, WhoAmI>;
  WriteNote: Agrees<typeof WriteNoteSchema, WriteNote>;
  AuditEntry: Agrees<typeof AuditEntrySchema, AuditEntry>;
} = {
  DeviceStatus: true,
  CaptureStatus: true,
  PortSummary: true,
  DeviceInfo: true,
  LegacyStatus: true,
  LineData: true,
  RecordData: true,
  GapData: true,
  CommandResult: true,
  SendDone: true,
  SendRefused: true,
  SeriesResponse: true,
  LatestResponse: true,
  PortFilters: true,
  TicketResponse: true,
  WhoAmI: true,
  WriteNote: true,
  AuditEntry: true,
};
void agrees;
