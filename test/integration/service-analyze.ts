// For the service and package tests: systemd-analyze on a unit file, the settings of a unit's text, and one run
// of the serialdeck CLI from source (what it printed and its exit status).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));
/** First systemd whose `systemd-analyze security` takes --offline (rates a unit file without a running systemd). */
const MIN_SYSTEMD_FOR_OFFLINE = 250;
/** Plain output: no colours, no pager. */
const ANALYZE_ENV = { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '', SYSTEMD_LOG_COLOR: '0' };

/** `systemd-analyze verify FILE`: its exit status and everything it printed (empty when the unit is clean). */
export function analyzeVerify(unitPath: string): { status: number | null; output: string } {
  const run = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8', env: ANALYZE_ENV });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/** `systemd-analyze security --offline=true FILE`: the overall exposure, 0 (locked down) to 10 (exposed). */
export function analyzeSecurity(unitPath: string): number {
  const version = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8', env: ANALYZE_ENV });
  const major = Number(/^systemd (\d+)/.exec(version.stdout ?? '')?.[1] ?? 0);
  if (major < MIN_SYSTEMD_FOR_OFFLINE)
    throw new Error(`rating a unit file needs systemd ${MIN_SYSTEMD_FOR_OFFLINE} or later (security --offline); this is ${major || 'unknown'}`);
  const run = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', unitPath], { encoding: 'utf8', env: ANALYZE_ENV });
  const match = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(run.stdout ?? '');
  if (!match) throw new Error(`systemd-analyze security gave no exposure (status ${run.status}): ${run.stdout}${run.stderr}`);
  return Number(match[1]);
}

/** Each `Key=value` of a unit's text, by key, in order (comments and section headers skipped). */
export function unitSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!match) continue;
    const [, key = '', value = ''] = match;
    settings.set(key, [...(settings.get(key) ?? []), value]);
  }
  return settings;
}

/** Runs `serialdeck ARGS…` from source with only PATH, HOME and `env`; resolves when it exits. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
