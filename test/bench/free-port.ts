// A free loopback TCP port, for programs (ser2net) that cannot be told to pick port 0 themselves.
import { createServer } from 'node:net';

/** Binds 127.0.0.1:0, reads the port the kernel chose, and closes it again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
