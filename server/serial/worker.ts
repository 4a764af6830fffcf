// Thin worker_threads entry: builds the port opener for the configured path (and the port lister
// for a USB match), hands them to a SerialSession, and relays messages over the parent port
// (data buffers transferred).
import { parentPort, workerData } from 'node:worker_threads';
import { DEMO_PATH, createDemoOpener } from './devices/demo/demo-board.js';
import type { FromWorker, SerialOptions, ToWorker } from './messages.js';
import { PortError, toWireError, type PortOpener } from './devices/port.js';
import { SerialSession } from './session.js';

const parent = parentPort;
if (!parent) throw new Error('server/serial/worker.ts must be started as a worker thread');
const options = workerData as SerialOptions;

// The native binding is loaded only for a real device, so the demo works even without it;
// if it cannot load, the session reports that as its reason for waiting instead of crash-looping.
async function openerFor(path: string): Promise<PortOpener> {
  if (path === DEMO_PATH) return createDemoOpener();
  try {
    return (await import('./devices/node-port.js')).createNodePortOpener();
  } catch (error) {
    const reason = `serial support unavailable (${toWireError(error).message})`;
    return { open: async () => Promise.reject(new PortError(reason, { code: 'ENOBINDING' })) };
  }
}
const opener = await openerFor(options.path);
const listPorts = options.match ? (await import('./devices/port-list-cache.js')).usbPortLister() : undefined;

const session = new SerialSession(options, {
  opener,
  listPorts,
  send(message: FromWorker) {
    if (message.type === 'data') parent.postMessage(message, [message.data.buffer as ArrayBuffer]);
    else parent.postMessage(message);
    // After 'closed' the device is released: let the thread end on its own.
    if (message.type === 'closed') parent.close();
  },
});
parent.on('message', (message: ToWorker) => session.handle(message));
session.start();
