// The small HTTP API beside the console: status for dashboards and health checks, the port list,
// and a write endpoint so scripts can send to the device without a WebSocket.
import type { Middleware } from 'koa';
import { MAX_WRITE_FRAME_BYTES, type DeviceStatus } from '../wire/protocol.js';
import type { PortInfo } from '../serial/devices/list-ports.js';

/** What the API reads and drives. */
export interface ApiDeps {
  readOnly: boolean;
  status(): { device: DeviceStatus; clients: number; stream: { start: number; end: number } };
  listPorts(): Promise<PortInfo[]>;
  /** Sends bytes to the device (the buffer is transferred: unusable afterwards); the caller checked it is open. */
  write(bytes: Uint8Array): void;
}

/** Routes /api/status (GET), /api/ports (GET), /api/write (POST raw body); other paths fall through. */
export function apiMiddleware(deps: ApiDeps): Middleware {
  return async (ctx, next) => {
    const route = `${ctx.method} ${ctx.path}`;
    switch (route) {
      case 'GET /api/status':
        ctx.body = { ...deps.status(), readOnly: deps.readOnly };
        return;
      case 'GET /api/ports':
        ctx.body = await deps.listPorts();
        return;
      case 'POST /api/write': {
        if (deps.readOnly) return void ((ctx.status = 403), (ctx.body = { error: 'read-only' }));
        const state = deps.status().device.state;
        if (state !== 'open') return void ((ctx.status = 409), (ctx.body = { error: `device is ${state}` }));
        const body = await readBody(ctx.req, MAX_WRITE_FRAME_BYTES);
        if (body === null)
          return void ((ctx.status = 413), (ctx.body = { error: `body over ${MAX_WRITE_FRAME_BYTES} bytes` }));
        const written = body.byteLength; // write() transfers the buffer, which detaches it
        deps.write(body);
        ctx.body = { written };
        return;
      }
    }
    if (ctx.path.startsWith('/api/')) {
      ctx.status = 404;
      ctx.body = { error: `no such endpoint: ${route}` };
      return;
    }
    return next();
  };
}

/** Reads a request body into one Uint8Array of its own, or null past `limitBytes` (the rest is drained). */
async function readBody(req: AsyncIterable<Buffer>, limitBytes: number): Promise<Uint8Array | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += part.byteLength;
    if (size <= limitBytes) parts.push(part);
  }
  if (size > limitBytes) return null;
  return new Uint8Array(Buffer.concat(parts));
}
