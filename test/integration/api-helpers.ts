// Shared by the SSE and API integration tests: waiting for a served port's device to open.
import type { TestServer } from '../helpers/test-server.js';

/** Deadline for a device to open, in ms: a pty opens in milliseconds; the margin is for a loaded CI machine. */
const OPEN_DEADLINE_MS = 10_000;

/** Resolves once every port of `srv` is open (at once if it is), on the port's own status event. */
export async function untilOpen(srv: TestServer): Promise<void> {
  await Promise.all(
    srv.registry.list().map(
      (port) =>
        new Promise<void>((resolve, reject) => {
          if (port.device.state === 'open') return resolve();
          const timer = setTimeout(() => reject(new Error(`${port.id} not open after ${OPEN_DEADLINE_MS} ms: ${port.device.state}`)), OPEN_DEADLINE_MS);
          const stop = port.listen({
            status: (device) => {
              if (device.state !== 'open') return;
              clearTimeout(timer);
              stop();
              resolve();
            },
          });
        }),
    ),
  );
}
