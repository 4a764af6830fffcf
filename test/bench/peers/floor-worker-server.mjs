// The floor with serialdeck's thread split, and nothing else: a worker thread reads the device
// and posts each loop turn's bytes (one fresh, transferred Uint8Array) to the main thread, which
// writes them to every TCP client; what clients send goes back to the worker to write. No
// back-pressure (the device is read continuously, as serialdeck does), so it is measured only on
// paced traffic. It shows what the worker-thread hop itself costs in latency and CPU.
// Usage: node floor-worker-server.mjs <device path>   → prints "floor-worker listening on tcp://127.0.0.1:PORT"
import { constants, openSync, write } from 'node:fs';
import { createServer } from 'node:net';
import { ReadStream } from 'node:tty';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

if (isMainThread) {
  const devicePath = process.argv[2];
  if (!devicePath) {
    console.error('usage: node floor-worker-server.mjs <device path>');
    process.exit(2);
  }
  const worker = new Worker(new URL(import.meta.url), { workerData: devicePath });
  worker.on('error', (err) => {
    console.error(`floor-worker: ${err.message}`);
    process.exit(1);
  });
  const clients = new Set();
  worker.on('message', (batch) => {
    const bytes = Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength);
    for (const socket of clients) socket.write(bytes);
  });
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    clients.add(socket);
    socket.on('data', (bytes) => {
      const own = new Uint8Array(bytes); // a copy of its own: transferring would break a pooled Buffer
      worker.postMessage(own, [own.buffer]);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => clients.delete(socket));
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(`floor-worker listening on tcp://127.0.0.1:${server.address().port}`);
  });
  process.on('SIGTERM', () => process.exit(0));
} else {
  const fd = openSync(workerData, constants.O_RDWR | constants.O_NOCTTY);
  const device = new ReadStream(fd);
  let chunks = [];
  let bytes = 0;
  let flush = null;
  device.on('data', (chunk) => {
    chunks.push(chunk);
    bytes += chunk.length;
    // Everything read in one loop turn goes out as one message, as serialdeck's read batcher does.
    flush ??= setImmediate(() => {
      const batch = new Uint8Array(bytes);
      let offset = 0;
      for (const c of chunks) {
        batch.set(c, offset);
        offset += c.length;
      }
      chunks = [];
      bytes = 0;
      flush = null;
      parentPort.postMessage(batch, [batch.buffer]);
    });
  });
  device.on('error', (err) => {
    console.error(`floor-worker: device: ${err.message}`);
    process.exit(1);
  });
  // Writes in order, one at a time (fs.write runs on the thread pool, where two could swap).
  const writes = [];
  const writeNext = () => {
    const next = writes[0];
    if (next === undefined) return;
    write(fd, next, (err, written) => {
      if (err) {
        console.error(`floor-worker: device write: ${err.message}`);
        process.exit(1);
      }
      if (written < next.length) writes[0] = next.subarray(written);
      else writes.shift();
      writeNext();
    });
  };
  parentPort.on('message', (data) => {
    writes.push(data);
    if (writes.length === 1) writeNext();
  });
}
