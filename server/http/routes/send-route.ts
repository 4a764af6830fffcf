// POST /api/ports/:id/send: a command line written through the port's command path (authorized,
// recorded with its source, paced), answered with the lines the board printed in reply, collected
// from the port's line reader from the offset where the write was accepted until a quiet period,
// a prompt or a timeout. A script sends `status` and reads the answer in one request.
import type { Context } from 'koa';
import { CommandReply } from '../../lines/command-reply.js';
import type { LinesClock } from '../../lines/port-lines.js';
import type { ServedPort } from '../../ports/served-port.js';
import type { SendResult } from '../../wire/api.js';
import { sendError, type ApiDeps } from '../api-router.js';
import { readBody } from '../read-body.js';
import { requester, STATUS_OF } from './command-routes.js';
import { toLineData } from './line-data.js';
import { MAX_SEND_BODY_BYTES, parseSendRequest } from './send-request.js';

const SYSTEM_CLOCK: LinesClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Writes the line, then answers with the reply; refusals as POST /write (403, 409, 503, 502); 400 with a reason for a bad body. */
export async function sendRoute(ctx: Context, deps: ApiDeps, port: ServedPort | null): Promise<void> {
  if (!port) return;
  const body = await readBody(ctx.req, MAX_SEND_BODY_BYTES);
  if (body === null) return sendError(ctx, 413, `body over ${MAX_SEND_BODY_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return sendError(ctx, 400, 'body is not valid JSON', { code: 'bad-request' });
  }
  const send = parseSendRequest(value);
  if ('error' in send) return sendError(ctx, 400, send.error, { code: 'bad-request' });

  // The first use of a port's lines reads its last hour first: the reply is only collected once the reader is live.
  await port.linesReady();
  const reply = new CommandReply(port.lines(), port.channel, port.channel.end, send.until, SYSTEM_CLOCK);
  const hungUp = (): void => {
    if (!ctx.res.writableFinished) reply.cancel();
  };
  ctx.res.once('close', hungUp);
  try {
    const written = send.bytes.byteLength;
    const result = await port.commands.execute({ type: 'write', data: send.bytes }, requester(ctx, deps));
    if (!result.ok) {
      reply.cancel();
      ctx.status = STATUS_OF[result.code];
      ctx.body = { ...result, error: result.message } satisfies SendResult;
      return;
    }
    const { lines, endedBy } = await reply.begin();
    ctx.body = { ok: true, written: result.written ?? written, reply: lines.map(toLineData), endedBy } satisfies SendResult;
  } finally {
    ctx.res.off('close', hungUp);
  }
}
