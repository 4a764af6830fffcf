// A lossless client that stops reading while 50 MiB flow through a pty gets every byte, in order,
// once it reads again (fed from the capture on disk), while the server's memory stays bounded
// (the memory ring is 1 MiB; nothing is queued per client beyond its socket's limit). A live
// client paused in the same run is skipped ahead with `slow-client` notices instead. The server
// runs in this process, so this process's memory is the server's (plus the test's own buffers).
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { createPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { numberedLines, untilState } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { connect, type TestClient } from '../helpers/ws-client.js';
import type { ServerMessage } from '../../server/wire/protocol.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const MiB = 1024 * 1024;
/** Bytes streamed: 50 MiB of numbered 64-byte lines. */
const TOTAL_BYTES = 50 * MiB;
const LINE_BYTES = 64;
/** The board writes this much per write: 1 MiB, generated as it goes so the test holds little of it. */
const WRITE_BYTES = MiB;
/**
 * Most the server's process may grow while the paused clients fall 50 MiB behind, in bytes. The
 * ring is 1 MiB, the capture buffers at most ~1 MiB before it flushes, each client's queue 256 KiB;
 * the rest is garbage and the test's own 1 MiB writes. Holding the stream for a paused client
 * (or for the disk) would cost 50 MiB of array buffers per client.
 */
const MAX_RSS_GROWTH_BYTES = 150 * MiB;
const MAX_ARRAY_BUFFER_GROWTH_BYTES = 40 * MiB;

/** The bytes at stream offsets [offset, offset + length) of the numbered-lines stream. */
function expectedAt(offset: number, length: number): Buffer {
  const firstLine = Math.floor(offset / LINE_BYTES);
  const lastLine = Math.ceil((offset + length) / LINE_BYTES);
  const skip = offset - firstLine * LINE_BYTES;
  return numberedLines(firstLine, lastLine - firstLine, LINE_BYTES).subarray(skip, skip + length);
}

/**
 * Follows one client's stream as it arrives, frame by frame, without keeping it: the offset it
 * has reached (binary frames and skipped notices move it), the bytes received, the skips,
 * and the first frame whose bytes differ from the numbered lines at its offset.
 */
class StreamChecker {
  received = 0;
  readonly skips: Extract<ServerMessage, { type: 'skipped' }>[] = [];
  mismatch: string | null = null;
  private readonly waiters = new Set<() => void>();

  /** Follows `ws` from `offset`, where its stream stands now. */
  constructor(
    ws: WebSocket,
    public offset: number,
  ) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        const message = JSON.parse(data.toString()) as ServerMessage;
        if (message.type === 'skipped') {
          this.skips.push(message);
          this.offset = message.offset;
        }
        return;
      }
      if (this.mismatch === null && !data.equals(expectedAt(this.offset, data.length)))
        this.mismatch = `the ${data.length} bytes at offset ${this.offset} are not the lines sent there`;
      this.offset += data.length;
      this.received += data.length;
      for (const waiter of this.waiters) waiter();
    });
  }

  /** Resolves once `predicate` holds or a frame mismatched (checked after every frame this checker saw); rejects after timeoutMs. */
  until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate() && this.mismatch === null) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; at offset ${this.offset}, ${this.received} bytes received`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

/** Samples this process's memory every few ms until stopped; reports the largest figures seen. */
function sampleMemory(): { stop(): { rss: number; arrayBuffers: number } } {
  const peak = { rss: 0, arrayBuffers: 0 };
  const sample = () => {
    const { rss, arrayBuffers } = process.memoryUsage();
    peak.rss = Math.max(peak.rss, rss);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, arrayBuffers);
  };
  sample();
  const timer = setInterval(sample, 10);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

describe('a paused lossless client while 50 MiB flow', () => {
  it('gets all 50 MiB in order afterwards, with server memory bounded; a paused live client is skipped instead', { timeout: 120_000 }, async () => {
    const board: PtyPair = await createPtyPair();
    cleanups.push(() => board.close());
    const srv: TestServer = await startTestServer({
      ports: [{ path: board.devicePath, name: 's', retention: { bytes: '256MiB' } }],
    });
    cleanups.push(() => srv.close());
    const open = async (query: string): Promise<[TestClient, StreamChecker]> => {
      const c = await connect(srv.url, { path: 'ws/s', query });
      cleanups.push(() => c.close());
      const hello = await c.message('hello');
      return [c, new StreamChecker(c.ws, hello.offset + c.bytes().length)];
    };
    const [lossless, losslessCheck] = await open('mode=lossless');
    const [live, liveCheck] = await open('mode=live');
    await untilState(lossless, 'open');
    await untilState(live, 'open');
    expect([losslessCheck.offset, liveCheck.offset]).toEqual([0, 0]);
    lossless.ws.pause();
    live.ws.pause();

    const channel = srv.registry.get('s')!.channel;
    const allRead = new Promise<void>((resolve) => {
      const stop = channel.subscribe({
        data: () => {
          if (channel.end < TOTAL_BYTES) return;
          stop();
          resolve();
        },
      });
    });
    const before = process.memoryUsage();
    const memory = sampleMemory();
    for (let offset = 0; offset < TOTAL_BYTES; offset += WRITE_BYTES)
      await board.board.write(numberedLines(offset / LINE_BYTES, WRITE_BYTES / LINE_BYTES, LINE_BYTES));
    await allRead; // the server has read every byte from the device
    const peak = memory.stop();
    expect(channel.end).toBe(TOTAL_BYTES);
    // While both clients were paused they got almost nothing; the server held back.
    expect(losslessCheck.received).toBeLessThan(TOTAL_BYTES / 2);
    expect(peak.rss - before.rss).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    expect(peak.arrayBuffers - before.arrayBuffers).toBeLessThan(MAX_ARRAY_BUFFER_GROWTH_BYTES);

    lossless.ws.resume();
    live.ws.resume();
    await losslessCheck.until(() => losslessCheck.received >= TOTAL_BYTES, 'all 50 MiB on the lossless client', 60_000);
    await liveCheck.until(() => liveCheck.offset >= TOTAL_BYTES, 'the live client at the end', 30_000);

    // Lossless: every byte, in order, never skipped.
    expect(losslessCheck.mismatch).toBeNull();
    expect(losslessCheck.skips).toEqual([]);
    expect(losslessCheck.received).toBe(TOTAL_BYTES);
    // Live: skipped ahead with slow-client notices; what it did get was exact, and it adds up.
    expect(liveCheck.mismatch).toBeNull();
    expect(liveCheck.skips.length).toBeGreaterThan(0);
    expect(liveCheck.skips.every((s) => s.reason === 'slow-client')).toBe(true);
    const skipped = liveCheck.skips.reduce((sum, s) => sum + s.bytes, 0);
    expect(liveCheck.received + skipped).toBe(TOTAL_BYTES);
    expect(liveCheck.received).toBeLessThan(TOTAL_BYTES);
  });
});
