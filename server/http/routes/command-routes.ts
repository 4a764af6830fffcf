// Routes that change a port, through its command path like every other way in: raw bytes to
// write, and JSON commands (baud, signals, reset, pacing, reopen). The answer waits for the
// worker: a write answers once its bytes reached the device, or says how many did and why not.
import type { Context } from 'koa';
import type { Requester } from '../../ports/command-path.js';
import type { ServedPort } from '../../ports/served-port.js';
import type { CommandResult } from '../../wire/api.js';
import { decodePortCommand, MAX_CONTROL_BYTES, MAX_WRITE_FRAME_BYTES } from '../../wire/protocol.js';
import { API_SCHEMAS, COMMAND_ERROR_STATUS } from '../api-schemas.js';
import { defineRoute, type ApiDeps, type ResponseDoc } from '../route-spec.js';
import { sendError } from '../send-error.js';
import { principalOf } from '../access-middleware.js';
import { PortCommandSchema } from './port-command-schema.js';

/** HTTP status for each refusal. */
export const STATUS_OF = COMMAND_ERROR_STATUS;

/** The refusals a command can meet once its input is valid, as the document lists them. */
export const COMMAND_REFUSALS: Record<number, ResponseDoc> = {
  403: { description: 'read-only: this server or port is watch-only (or the Origin is not allowed).', schema: API_SCHEMAS.CommandRefusal },
  409: { description: 'not-open: the device is not open (unplugged, released, closed); not-holder: a single-writer port whose keyboard you do not hold.', schema: API_SCHEMAS.CommandRefusal },
  502: { description: 'device: the device refused or failed.', schema: API_SCHEMAS.CommandRefusal },
  503: { description: 'write-queue-full: more is waiting than the port queues.', schema: API_SCHEMAS.CommandRefusal },
  504: { description: 'timeout: no answer from the serial worker.', schema: API_SCHEMAS.CommandRefusal },
};

const WRITE_BODY = { kind: 'raw', maxBytes: MAX_WRITE_FRAME_BYTES, description: 'Bytes written to the device exactly.' } as const;

async function write(ctx: Context, deps: ApiDeps, port: ServedPort, data: Uint8Array): Promise<void> {
  respond(ctx, await port.commands.execute({ type: 'write', data }, requester(ctx, port)));
}

/** POST /api/ports/:id/write: the raw body is written to the device. */
export const writeRoute = defineRoute({
  method: 'POST',
  path: '/api/ports/:id/write',
  summary: 'Write raw bytes to the device',
  description: 'Answers once the bytes reached the device, or says how many did and why not.',
  body: WRITE_BODY,
  responses: { 200: { description: 'Written.', schema: API_SCHEMAS.CommandDone }, ...COMMAND_REFUSALS },
  async handler(ctx, deps, port, { body }) {
    if (port) await write(ctx, deps, port, body);
  },
});

/** POST /api/write: writes to the first port (kept for scripts from before several ports). */
export const legacyWriteRoute = defineRoute({
  method: 'POST',
  path: '/api/write',
  summary: 'Write raw bytes to the first port (kept for scripts)',
  body: WRITE_BODY,
  responses: { 200: { description: 'Written.', schema: API_SCHEMAS.CommandDone }, 404: { description: 'No port is served yet.', schema: API_SCHEMAS.Error }, ...COMMAND_REFUSALS },
  async handler(ctx, deps, _port, { body }) {
    const port = deps.registry.first();
    if (!port) return sendError(ctx, 404, 'no port is served yet');
    await write(ctx, deps, port, body);
  },
});

/** POST /api/ports/:id/command: a JSON PortCommand, e.g. {"type":"set-baud","baudRate":9600}. */
export const commandRoute = defineRoute({
  method: 'POST',
  path: '/api/ports/:id/command',
  summary: 'Run a port command (baud, framing, signals, reset, pacing, break, release, reclaim, reopen)',
  description: 'The same commands as the WebSocket\'s control messages; refusals in the same words.',
  body: { kind: 'json', schema: PortCommandSchema, maxBytes: MAX_CONTROL_BYTES, refusal: decodeRefusal },
  responses: { 200: { description: 'Done.', schema: API_SCHEMAS.CommandDone }, ...COMMAND_REFUSALS },
  async handler(ctx, deps, port, { body }) {
    if (!port) return;
    // The schema passed; the decoder gives the command with only its own fields (and must agree: test/unit/http-request-schema.test.ts).
    const decoded = decodePortCommand(body);
    if (!decoded.ok) return sendError(ctx, 400, decoded.error, { code: 'bad-request' });
    respond(ctx, await port.commands.execute(decoded.message, requester(ctx, port)));
  },
});

function decodeRefusal(value: unknown): string | null {
  const decoded = decodePortCommand(value);
  return decoded.ok ? null : decoded.error;
}

/** Who is asking, for the command path: `http@<ip>`, and whether the server is watch-only. */
export function requester(ctx: Context, port: ServedPort): Requester {
  const principal = principalOf(ctx);
  return { source: `http@${ctx.ip || 'unknown'}`, name: principal.name, role: principal.roleOn(port.id) };
}

function respond(ctx: Context, result: CommandResult): void {
  ctx.status = result.ok ? 200 : STATUS_OF[result.code];
  ctx.body = result.ok ? result : { ...result, error: result.message };
}
