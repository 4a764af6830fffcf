// Read-only routes: the served ports, one port, the OS's serial devices, and the first port's status as before.
import { Type } from '@sinclair/typebox';
import type { LegacyStatus, PortSummary } from '../../wire/api.js';
import { API_SCHEMAS } from '../api-schemas.js';
import { defineRoute } from '../route-spec.js';
import { sendError } from '../send-error.js';
import { principalOf } from '../access-middleware.js';
import { roleAllows } from '../../wire/roles.js';

/** GET /api/ports: every served port with its status. */
export const portsRoute = defineRoute({
  method: 'GET',
  path: '/api/ports',
  summary: 'Every served port with its status',
  responses: { 200: { description: 'The served ports.', schema: Type.Array(API_SCHEMAS.PortSummary) } },
  handler(ctx, deps) {
    const principal = principalOf(ctx);
    // Only the ports the asker may watch: the rest are not theirs to learn of.
    ctx.body = deps.registry
      .list()
      .filter((port) => roleAllows(principal.roleOn(port.id), 'watch'))
      .map((port): PortSummary => port.summary(deps.clients(port.id)));
  },
});

/** GET /api/ports/:id: one port. */
export const portRoute = defineRoute({
  method: 'GET',
  path: '/api/ports/:id',
  summary: 'One served port',
  responses: { 200: { description: 'The port.', schema: API_SCHEMAS.PortSummary } },
  handler(ctx, deps, port) {
    if (port) ctx.body = port.summary(deps.clients(port.id));
  },
});

/** GET /api/devices: the OS's serial devices, each marked with the port that serves it. */
export const devicesRoute = defineRoute({
  method: 'GET',
  path: '/api/devices',
  summary: "The OS's serial devices, served or not",
  responses: { 200: { description: 'The devices; `servedAs` names the port that serves one.', schema: Type.Array(API_SCHEMAS.DeviceInfo) } },
  async handler(ctx, deps) {
    const devices = await deps.listDevices();
    const ports = deps.registry.list();
    ctx.body = devices.map((device) => {
      const served = ports.find((port) => [device.path, device.byIdPath].includes(port.config.path) || port.device.path === device.path);
      return served ? { ...device, servedAs: served.id } : device;
    });
  },
});

/** GET /api/status: the first port, in the shape scripts used before there were several. */
export const legacyStatusRoute = defineRoute({
  method: 'GET',
  path: '/api/status',
  summary: 'The first port, as in version 1 (kept for scripts)',
  responses: {
    200: { description: "The first port's status.", schema: API_SCHEMAS.LegacyStatus },
    404: { description: 'No port is served yet.', schema: API_SCHEMAS.Error },
  },
  handler(ctx, deps) {
    const port = deps.registry.first();
    const role = port ? principalOf(ctx).roleOn(port.id) : null;
    if (!port || role === null) return sendError(ctx, 404, 'no port is served yet');
    ctx.body = {
      port: port.id,
      device: port.device,
      clients: deps.clients(port.id),
      stream: { id: port.channel.streamId, start: port.channel.oldest, end: port.channel.end },
      capture: port.channel.captureStatus,
      readOnly: !roleAllows(role, 'write'),
    } satisfies LegacyStatus;
  },
});
