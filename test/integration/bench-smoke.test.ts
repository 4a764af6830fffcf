// The benchmark's quick mode, run as `npm run bench -- --quick` runs it, so the benchmark cannot rot:
// every available peer relays checked traffic both ways, serialdeck's lossless clients get every
// line, its capture is read back (a client from offset 0, a download by time), and the table is printed.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
/** Upper bound on the quick benchmark, in ms: it takes several seconds; a loaded CI box gets slack. */
const QUICK_BENCH_TIMEOUT_MS = 60_000;

type Samples = Record<string, Record<string, (number | null)[]>>;

describe('npm run bench -- --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serialdeck-bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('relays checked traffic through the floors and serialdeck, reads the capture back, and prints the table', async () => {
    const json = join(dir, 'bench.json');
    const { stdout } = await run(process.execPath, ['test/bench/run-bench.mjs', '--quick', '--json', json], {
      timeout: QUICK_BENCH_TIMEOUT_MS,
    });
    expect(stdout, 'npm test builds the server before the tests; the bench must find it').not.toMatch(
      /Not measured: serialdeck/,
    );
    expect(stdout).toMatch(/^\| Figure \| Unit \| floor \|/m);
    expect(stdout).toMatch(/^\| Throughput to 10 clients, 64-byte lines, slowest client \| MiB\/s \| [\d.]+ \|/m);
    const { samples, errors } = JSON.parse(readFileSync(json, 'utf8')) as { samples: Samples; errors: string[] };
    expect(errors).toEqual([]);
    for (const peer of ['floor', 'serialdeck']) {
      expect(samples['throughput-64.mibs']?.[peer]?.[0], peer).toBeGreaterThan(0);
      expect(samples['throughput-64.errors']?.[peer], peer).toEqual([0]);
    }
    // Lossless clients: every line, none skipped.
    expect(samples['throughput-64.skipped']?.['serialdeck']).toEqual([0]);
    for (const peer of ['floor', 'floor-worker', 'serialdeck']) {
      expect(samples['keystroke.p50']?.[peer]?.[0], peer).toBeGreaterThan(0);
      expect(samples['keystroke.errors']?.[peer], peer).toEqual([0]);
    }
    expect(samples['catch-up.mibs']?.['serialdeck']?.[0]).toBeGreaterThan(0);
    expect(samples['catch-up.errors']?.['serialdeck']).toEqual([0]);
    expect(samples['catch-up.skipped']?.['serialdeck']).toEqual([0]);
    expect(samples['download.mib']?.['serialdeck']?.[0]).toBeGreaterThan(0);
    expect(samples['download.errors']?.['serialdeck']).toEqual([0]);
    expect(samples['download.textLines']?.['serialdeck']?.[0]).toBeGreaterThanOrEqual(1);
  }, QUICK_BENCH_TIMEOUT_MS);
});
