// A serialdeck for a test: on port 0, with its captures in a fresh temporary data directory (so
// tests never share or leave state), removed again on close().
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../../server/config.js';
import { start, type RunningServer, type StartOptions } from '../../server/start.js';

/** A running test server and its data directory. */
export interface TestServer extends RunningServer {
  dataDir: string;
}

/**
 * Starts serialdeck on `input` (demo board by default), listenPort 0, dataDir a new temporary directory
 * unless given; logs are collected in `logs`; `startImpl` runs another build of start() (the e2e tests use dist/).
 */
export async function startTestServer(
  input: ConfigInput = {},
  options: StartOptions & { keepDataDir?: boolean; logs?: string[]; startImpl?: typeof start } = {},
): Promise<TestServer> {
  const dataDir = input.dataDir ?? (await mkdtemp(join(tmpdir(), 'serialdeck-data-')));
  const logs = options.logs;
  const server = await (options.startImpl ?? start)(
    { listenPort: 0, ...input, dataDir },
    { ...options, log: options.log ?? ((line) => logs?.push(line)) },
  ).catch(async (error: unknown) => {
    if (input.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const close = server.close;
  let closing: Promise<void> | null = null;
  return {
    ...server,
    dataDir,
    close: () =>
      (closing ??= (async () => {
        await close();
        if (input.dataDir === undefined && !options.keepDataDir) await rm(dataDir, { recursive: true, force: true });
      })()),
  };
}
