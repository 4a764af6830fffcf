// The API's one error shape: `{ error }`, with `code` where a command was refused.
import type { Context } from 'koa';

/** Answers with `{ error }` and a status. */
export function sendError(ctx: Context, status: number, message: string, extra: Record<string, unknown> = {}): void {
  ctx.status = status;
  ctx.body = { error: message, ...extra };
}
