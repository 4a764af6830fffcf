// The floor: the least a Node relay can do. Reads the device, writes each chunk to every TCP
// client, and writes what clients send to the device. Nothing else: no framing, no scrollback,
// no per-client queue. When a socket's buffer is full it stops reading the device until every
// socket drains (the one way to relay without dropping or buffering without bound).
// Plain JavaScript so node runs it as is, like serialdeck's built dist/.
// Usage: node floor-server.mjs <device path>   → prints "floor listening on tcp://127.0.0.1:PORT"
import { constants, openSync, write } from 'node:fs';
import { createServer } from 'node:net';
import { ReadStream } from 'node:tty';

const devicePath = process.argv[2];
if (!devicePath) {
  console.error('usage: node floor-server.mjs <device path>');
  process.exit(2);
}
const fd = openSync(devicePath, constants.O_RDWR | constants.O_NOCTTY);
// libuv reopens a tty for non-blocking reads, so `fd` itself stays blocking for writes.
const device = new ReadStream(fd);
const clients = new Set();
let blocked = 0;

device.on('data', (chunk) => {
  for (const socket of clients) {
    if (!socket.write(chunk) && !socket.full) {
      socket.full = true;
      blocked++;
    }
  }
  if (blocked > 0) device.pause();
});
device.on('error', (err) => {
  console.error(`floor: device: ${err.message}`);
  process.exit(1);
});

// One write in flight at a time: fs.write runs on the thread pool, where two could swap places.
const writes = [];
function writeToDevice(bytes) {
  writes.push(bytes);
  if (writes.length === 1) writeNext();
}
function writeNext() {
  const bytes = writes[0];
  if (bytes === undefined) return;
  write(fd, bytes, (err, written) => {
    if (err) {
      console.error(`floor: device write: ${err.message}`);
      process.exit(1);
    }
    if (written < bytes.length) writes[0] = bytes.subarray(written);
    else writes.shift();
    writeNext();
  });
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.full = false;
  clients.add(socket);
  const unblock = () => {
    if (!socket.full) return;
    socket.full = false;
    if (--blocked === 0) device.resume();
  };
  socket.on('drain', unblock);
  socket.on('data', writeToDevice);
  socket.on('error', () => undefined);
  socket.on('close', () => {
    unblock();
    clients.delete(socket);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`floor listening on tcp://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
