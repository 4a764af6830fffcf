// Fuzzing config files: YAML built from the real keys with values right and wrong, YAML oddities
// (anchors, tags, merge keys, deep nesting, duplicate keys) and text damaged or barely YAML, read
// and resolved the way the CLI does (loadConfigFile, then resolveConfig with the file's name). Each
// must resolve, or be refused with one ConfigError line that names the file; never another error.
// Default size for `npm test`; FUZZ_RUNS=100000 for the full run (docs/fuzzing.md).
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, resolveConfig } from '../../server/config.js';
import { formatBursts, fuzzRuns, fuzzSeed, fuzzTimeoutMs, measureBursts, memoryGrowth } from '../helpers/fuzz-common.js';
import { configTextArb } from '../helpers/fuzz-config.js';

/** Bursts: the first warms up; growth is measured from the second to the last. */
const BURSTS = 3;
/** Cases in this test: FUZZ_RUNS, or 600 by default. */
const CONFIG_RUNS = fuzzRuns(600);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'serialdeck-fuzz-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Why resolving `text` went wrong, or null: it resolved, or was refused with a ConfigError naming the file. */
async function judgeConfig(file: string, text: string): Promise<{ problem: string | null; resolved: boolean }> {
  await writeFile(file, text);
  try {
    const config = resolveConfig(loadConfigFile(file), { file, env: {} });
    return { problem: config.ports.length > 0 || config.watch ? null : 'resolved without ports and without watch', resolved: true };
  } catch (error) {
    if (!(error instanceof ConfigError)) return { problem: `${(error as Error).name}: ${(error as Error).stack ?? String(error)}`, resolved: false };
    if (!error.message.startsWith(file)) return { problem: `ConfigError that does not name the file: ${error.message}`, resolved: false };
    if (error.message.includes('\n')) return { problem: `ConfigError of more than one line: ${JSON.stringify(error.message)}`, resolved: false };
    if (error.message.length <= file.length + 2) return { problem: `ConfigError without a reason: ${error.message}`, resolved: false };
    return { problem: null, resolved: false };
  }
}

describe('config file fuzzing', () => {
  it('resolves every malformed config file or refuses it with a ConfigError naming the file', async () => {
    const runs = Math.max(BURSTS, Math.ceil(CONFIG_RUNS / BURSTS));
    const file = join(dir, 'serialdeck.yaml');
    let resolved = 0;
    let refused = 0;
    const seed = fuzzSeed();
    const bursts = await measureBursts(BURSTS, runs, async (burst) => {
      await fc.assert(
        fc.asyncProperty(configTextArb, async (text) => {
          const outcome = await judgeConfig(file, text);
          if (outcome.resolved) resolved++;
          else refused++;
          if (outcome.problem) throw new Error(outcome.problem);
        }),
        { numRuns: runs, ...(seed !== undefined ? { seed: seed + burst } : {}) },
      );
    });
    console.log(formatBursts('config', bursts) + `\nconfig: ${resolved} resolved, ${refused} refused with a ConfigError`);
    // Both outcomes were reached: the generator is neither all noise nor all valid.
    expect(resolved).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(memoryGrowth(bursts).problem).toBeNull();
  }, fuzzTimeoutMs(CONFIG_RUNS, 10));
});
