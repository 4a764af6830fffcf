// A raw TCP client (for the floor and ser2net): every byte received is device output.
import { connect } from 'node:net';
import type { LineChecker } from '../line-checker.js';
import type { BenchClient } from '../peers/peer.js';

/** Connects to 127.0.0.1:port; resolves once connected. */
export function connectTcp(port: number, checker: LineChecker): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => checker.push(chunk, Number(process.hrtime.bigint())));
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined); // a reset at teardown is expected; the checker has the counts
      resolve({
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        send: (bytes) => void socket.write(bytes),
        close: () => socket.destroy(),
      });
    });
  });
}
