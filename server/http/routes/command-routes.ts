// Routes that change a port, through its command path like every other way in: raw bytes to
// write, and JSON commands (baud, signals, reset, pacing, reopen). The answer waits for the
// worker: a write answers once its bytes reached the device, or says how many did and why not.
import type { Context } from 'koa';
import type { ServedPort } from '../../ports/served-port.js';
import type { CommandErrorCode, CommandResult } from '../../wire/api.js';
import { decodePortCommand, MAX_CONTROL_BYTES, MAX_WRITE_FRAME_BYTES } from '../../wire/protocol.js';
import { sendError, type ApiDeps } from '../api-router.js';
import { readBody } from '../read-body.js';

/** HTTP status for each refusal. */
export const STATUS_OF: Record<CommandErrorCode, number> = {
  'read-only': 403,
  'not-open': 409,
  'write-queue-full': 503,
  'bad-request': 400,
  device: 502,
  timeout: 504,
};

/** POST /api/ports/:id/write: the raw body is written to the device. */
export async function writeRoute(ctx: Context, deps: ApiDeps, port: ServedPort | null): Promise<void> {
  if (!port) return;
  const body = await readBody(ctx.req, MAX_WRITE_FRAME_BYTES);
  if (body === null) return sendError(ctx, 413, `body over ${MAX_WRITE_FRAME_BYTES} bytes`);
  respond(ctx, await port.commands.execute({ type: 'write', data: body }, requester(ctx, deps)));
}

/** POST /api/write: writes to the first port (kept for scripts from before several ports). */
export async function legacyWriteRoute(ctx: Context, deps: ApiDeps): Promise<void> {
  const port = deps.registry.first();
  if (!port) return sendError(ctx, 404, 'no port is served yet');
  return writeRoute(ctx, deps, port);
}

/** POST /api/ports/:id/command: a JSON PortCommand, e.g. {"type":"set-baud","baudRate":9600}. */
export async function commandRoute(ctx: Context, deps: ApiDeps, port: ServedPort | null): Promise<void> {
  if (!port) return;
  const body = await readBody(ctx.req, MAX_CONTROL_BYTES);
  if (body === null) return sendError(ctx, 413, `body over ${MAX_CONTROL_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return sendError(ctx, 400, 'body is not valid JSON', { code: 'bad-request' });
  }
  const decoded = decodePortCommand(value);
  if (!decoded.ok) return sendError(ctx, 400, decoded.error, { code: 'bad-request' });
  respond(ctx, await port.commands.execute(decoded.message, requester(ctx, deps)));
}

/** Who is asking, for the command path: `http@<ip>`, and whether the server is watch-only. */
export function requester(ctx: Context, deps: ApiDeps): { source: string; readOnly: boolean } {
  return { source: `http@${ctx.ip || 'unknown'}`, readOnly: deps.readOnly };
}

function respond(ctx: Context, result: CommandResult): void {
  ctx.status = result.ok ? 200 : STATUS_OF[result.code];
  ctx.body = result.ok ? result : { ...result, error: result.message };
}
