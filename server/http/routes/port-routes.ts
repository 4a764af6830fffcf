// Read-only routes: the served ports, one port, the OS's serial devices, and the first port's status as before.
import type { Context } from 'koa';
import type { ApiDeps } from '../api-router.js';
import type { ServedPort } from '../../ports/served-port.js';
import type { PortSummary } from '../../wire/api.js';

/** GET /api/ports: every served port with its status. */
export function portsRoute(ctx: Context, deps: ApiDeps): void {
  ctx.body = deps.registry.list().map((port): PortSummary => port.summary(deps.clients(port.id)));
}

/** GET /api/ports/:id: one port. */
export function portRoute(ctx: Context, deps: ApiDeps, port: ServedPort | null): void {
  if (port) ctx.body = port.summary(deps.clients(port.id));
}

/** GET /api/devices: the OS's serial devices, each marked with the port that serves it. */
export async function devicesRoute(ctx: Context, deps: ApiDeps): Promise<void> {
  const devices = await deps.listDevices();
  const ports = deps.registry.list();
  ctx.body = devices.map((device) => {
    const served = ports.find((port) => [device.path, device.byIdPath].includes(port.config.path) || port.device.path === device.path);
    return served ? { ...device, servedAs: served.id } : device;
  });
}

/** GET /api/status: the first port, in the shape scripts used before there were several. */
export function legacyStatusRoute(ctx: Context, deps: ApiDeps): void {
  const port = deps.registry.first();
  if (!port) {
    ctx.status = 404;
    ctx.body = { error: 'no port is served yet' };
    return;
  }
  ctx.body = {
    port: port.id,
    device: port.device,
    clients: deps.clients(port.id),
    stream: { id: port.channel.streamId, start: port.channel.oldest, end: port.channel.end },
    capture: port.channel.captureStatus,
    readOnly: deps.readOnly,
  };
}
