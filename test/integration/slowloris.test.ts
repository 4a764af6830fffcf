// Slow clients (slowloris): connections that trickle their request a byte at a time are closed by
// the headers timeout, connections that have not sent a request are capped, and a normal request
// still gets its answer quickly while they are open. Against the guard alone (short timeouts, over
// HTTP and over TLS) and against a real serialdeck with its own settings.
import { once } from 'node:events';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import {
  guardConnections,
  HEADERS_TIMEOUT_MS,
  MAX_PENDING_CONNECTIONS,
  TIMEOUT_CHECK_MS,
} from '../../server/http/connection-guard.js';
import { startTestServer } from '../helpers/test-server.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A connection that sends `text` one byte every `everyMs`, recording when it was closed and what it was answered. */
interface Trickle {
  socket: Socket;
  answer(): string;
  closedAtMs: Promise<number>;
}

function trickle(port: number, text: string, everyMs: number): Trickle {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  let sent = 0;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (answer += chunk));
  socket.on('error', () => {}); // a reset is one way of being closed; 'close' follows
  const timer = setInterval(() => {
    if (socket.writable && sent < text.length) socket.write(text[sent++]!);
  }, everyMs);
  const closedAtMs = new Promise<number>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(performance.now());
    }),
  );
  closers.push(async () => {
    socket.destroy();
    await closedAtMs;
  });
  return { socket, answer: () => answer, closedAtMs };
}

/** A GET over a fresh connection: its status and how long it took, in ms. */
function timedGet(url: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listenGuarded(server: Server, options: Parameters<typeof guardConnections>[1]): Promise<number> {
  guardConnections(server, options);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return (server.address() as AddressInfo).port;
}

const HEAD = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ';

describe('connection guard', () => {
  it('answers a client that trickles its headers with 408 and closes it once the headers timeout passes', async () => {
    const server = createHttpServer((_req, res) => res.end('ok'));
    const port = await listenGuarded(server, { headersTimeoutMs: 600, timeoutCheckMs: 100 });
    const t0 = performance.now();
    const slow = trickle(port, HEAD + 'x'.repeat(1000), 50);
    const closedAfterMs = (await slow.closedAtMs) - t0;
    expect(slow.answer()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(600);
    expect(closedAfterMs).toBeLessThan(600 + 2 * 100 + 1000); // the timeout, a check interval, and room for a loaded machine
  });

  it('closes the oldest connection without a request when more than the cap are open, and serves a real request', async () => {
    const server = createHttpServer((_req, res) => res.end('ok'));
    const port = await listenGuarded(server, { maxPendingConnections: 5, headersTimeoutMs: 60_000 });
    const idle = Array.from({ length: 8 }, () => trickle(port, '', 1000));
    // The first three are closed as the sixth, seventh and eighth arrive; the server sees them in order.
    await Promise.all(idle.slice(0, 3).map((c) => c.closedAtMs));
    const answered = await timedGet(`http://127.0.0.1:${port}/`);
    expect(answered.status).toBe(200);
    // The real request's connection was itself pending for a moment, and closed the fourth.
    await idle[3]!.closedAtMs;
    const open = idle.slice(4).filter((c) => !c.socket.destroyed);
    expect(open).toHaveLength(4);
  });

  it('closes a TLS connection whose handshake never comes', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
    const server = createHttpsServer({ key: pems.private, cert: pems.cert }, (_req, res) => res.end('ok'));
    const port = await listenGuarded(server, { headersTimeoutMs: 500, timeoutCheckMs: 100 });
    const t0 = performance.now();
    const silent = trickle(port, '', 1000);
    const closedAfterMs = (await silent.closedAtMs) - t0;
    expect(closedAfterMs).toBeGreaterThanOrEqual(500);
    expect(closedAfterMs).toBeLessThan(500 + 3 * 100 + 1000);
  });
});

describe('slowloris against serialdeck', () => {
  it('closes a hundred connections sending 1 byte/s within the headers timeout, and keeps answering meanwhile', async () => {
    const server = await startTestServer();
    closers.push(() => server.close());
    const port = Number(new URL(server.url).port);
    const t0 = performance.now();
    const slow: Trickle[] = [];
    for (let i = 0; i < 100; i++) {
      slow.push(trickle(port, HEAD + 'x'.repeat(100), 1000));
      await once(slow[i]!.socket, 'connect');
    }
    // Past the cap, each newcomer closed the oldest at once: never more than the cap wait at a time.
    const evicted = slow.slice(0, 100 - MAX_PENDING_CONNECTIONS);
    await Promise.all(evicted.map((c) => c.closedAtMs));

    // While the rest trickle, ordinary requests are answered: one every 50 ms until the last slow one is closed.
    let allClosed = false;
    const allClosedAt = Promise.all(slow.map((c) => c.closedAtMs)).then((times) => {
      allClosed = true;
      return Math.max(...times);
    });
    const latencies: number[] = [];
    while (!allClosed) {
      const answer = await timedGet(`${server.url}api/ports`);
      expect(answer.status).toBe(200);
      latencies.push(answer.ms);
      await Promise.race([allClosedAt, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    const lastClosedAfterMs = (await allClosedAt) - t0;
    expect(lastClosedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 2 * TIMEOUT_CHECK_MS + 3000);
    // Each was cut off (a newcomer past the cap, the ordinary requests included, closed it) or answered 408 by the timeout.
    const timedOut = slow.filter((c) => c.answer() !== '');
    for (const c of timedOut) expect(c.answer()).toMatch(/^HTTP\/1\.1 408 /);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!;
    console.log(
      `slowloris: 100 connections at 1 byte/s; last closed after ${Math.round(lastClosedAfterMs)} ms ` +
        `(${100 - timedOut.length} cut off past the cap, ${timedOut.length} answered 408); ` +
        `${latencies.length} requests meanwhile, p50 ${latencies[latencies.length >> 1]!.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
    );
    expect(latencies.length).toBeGreaterThan(20);
  }, 40_000);
});
