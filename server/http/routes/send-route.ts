// POST /api/ports/:id/send: a command line written through the port's command path (authorized,
// recorded with its source, paced), answered with the lines the board printed in reply, collected
// from the port's line reader from the offset where the write was accepted until a quiet period,
// a prompt or a timeout. A script sends `status` and reads the answer in one request.
import type { Context } from 'koa';
import { CommandReply } from '../../lines/command-reply.js';
import type { LinesClock } from '../../lines/port-lines.js';
import type { ServedPort } from '../../ports/served-port.js';
import type { SendResult } from '../../wire/api.js';
import { API_SCHEMAS } from '../api-schemas.js';
import { defineRoute, type ApiDeps } from '../route-spec.js';
import { sendError } from '../send-error.js';
import { COMMAND_REFUSALS, requester, STATUS_OF } from './command-routes.js';
import { toLineData } from './line-data.js';
import { MAX_SEND_BODY_BYTES, SendRequestSchema, toSend, type ParsedSend } from './send-request.js';

const SYSTEM_CLOCK: LinesClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Writes the line, then answers with the reply; refusals as POST /write (403, 409, 503, 502); 400 with a reason for a bad body. */
export const sendRoute = defineRoute({
  method: 'POST',
  path: '/api/ports/:id/send',
  summary: "Send a command line and get the board's reply",
  description:
    'The line is written through the command path (as /write); the reply is every line with bytes after the write, ' +
    'until a quiet period, a prompt, or the timeout, whichever comes first.',
  body: { kind: 'json', schema: SendRequestSchema, maxBytes: MAX_SEND_BODY_BYTES },
  responses: { 200: { description: "Written; the board's reply.", schema: API_SCHEMAS.SendDone }, ...COMMAND_REFUSALS },
  async handler(ctx, deps, port, { body }) {
    if (!port) return;
    const send = toSend(body);
    if ('error' in send) return sendError(ctx, 400, send.error, { code: 'bad-request' });
    await sendLine(ctx, deps, port, send);
  },
});

async function sendLine(ctx: Context, deps: ApiDeps, port: ServedPort, send: ParsedSend): Promise<void> {
  // The first use of a port's lines reads its last hour first: the reply is only collected once the reader is live.
  await port.linesReady();
  const reply = new CommandReply(port.lines(), port.channel, port.channel.end, send.until, SYSTEM_CLOCK);
  const hungUp = (): void => {
    if (!ctx.res.writableFinished) reply.cancel();
  };
  ctx.res.once('close', hungUp);
  try {
    const written = send.bytes.byteLength;
    const result = await port.commands.execute({ type: 'write', data: send.bytes }, requester(ctx, port));
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
