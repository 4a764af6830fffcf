// Things a test opens (ptys, servers, clients, temporary directories), closed again after each
// test in the reverse order they were opened, whether the test passed or not.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createPtyPair, type PtyPair } from './pty-pair.js';
import { startTestServer, type TestServer } from './test-server.js';
import { connect, type TestClient } from './ws-client.js';

/** Openers whose results are closed after each test of the calling file (call once, at the top of a test file). */
export interface CleanupStack {
  /** Runs `close` after the test (last in, first out). */
  defer(close: () => Promise<unknown>): void;
  pty(): Promise<PtyPair>;
  server(...args: Parameters<typeof startTestServer>): Promise<TestServer>;
  /** A WebSocket client on `path` (e.g. `ws/uno`) with an optional query. */
  client(baseUrl: string, path: string, query?: string): Promise<TestClient>;
  /** A fresh temporary directory, removed afterwards. */
  tempDir(prefix: string): Promise<string>;
}

/** Registers the afterEach that empties the stack, and returns its openers. */
export function cleanupAfterEach(): CleanupStack {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()!();
  });
  const keep = <T>(value: T, close: (value: T) => Promise<unknown>): T => {
    closers.push(() => close(value));
    return value;
  };
  return {
    defer: (close) => void closers.push(close),
    pty: async () => keep(await createPtyPair(), (pair) => pair.close()),
    server: async (...args) => keep(await startTestServer(...args), (server) => server.close()),
    client: async (baseUrl, path, query) => keep(await connect(baseUrl, { path, ...(query ? { query } : {}) }), (client) => client.close()),
    tempDir: async (prefix) => keep(await mkdtemp(join(tmpdir(), prefix)), (dir) => rm(dir, { recursive: true, force: true })),
  };
}
