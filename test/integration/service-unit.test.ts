// The shipped systemd unit (docs/serialdeck.service) and `serialdeck service`: systemd-analyze verifies the unit and
// rates its exposure (≤ 2.5); it carries no token, and serialdeck refuses the placeholder an older unit shipped.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../server/cli-args.js';
import { ConfigError } from '../../server/config.js';
import { DEFAULT_BINARY, EXAMPLE_ARGS, quoteExecArg, renderServiceUnit } from '../../server/service-unit.js';
import { analyzeSecurity, analyzeVerify, runCli, unitSettings } from './service-analyze.js';

const UNIT_PATH = fileURLToPath(new URL('../../docs/serialdeck.service', import.meta.url));
const unit = readFileSync(UNIT_PATH, 'utf8');
/** Most exposure `systemd-analyze security` may give the unit (the bar; 10 is fully exposed). */
const MAX_EXPOSURE = 2.5;
const A_TOKEN = 'Jq3v0kG9xN2bT7wLr5yH1sDf';

const scratch = mkdtempSync(join(tmpdir(), 'serialdeck-service-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The docs unit with ExecStart's binary swapped for an executable that exists here (verify checks it). */
function unitWithRealBinary(text: string): string {
  const binary = join(scratch, 'serialdeck');
  writeFileSync(binary, '#!/bin/sh\nexit 0\n');
  chmodSync(binary, 0o755);
  const path = join(scratch, 'serialdeck.service');
  writeFileSync(path, text.replace(/^ExecStart=\S+/m, `ExecStart=${binary}`));
  return path;
}

describe('docs/serialdeck.service', () => {
  it('is what `serialdeck service` prints for the example board (one source)', () => {
    expect(unit).toBe(renderServiceUnit(DEFAULT_BINARY, EXAMPLE_ARGS));
  });

  it('passes systemd-analyze verify with no warning', () => {
    expect(analyzeVerify(unitWithRealBinary(unit))).toEqual({ status: 0, output: '' });
  });

  it(`is rated at most ${MAX_EXPOSURE} by systemd-analyze security`, () => {
    const exposure = analyzeSecurity(unitWithRealBinary(unit));
    expect(exposure).toBeLessThanOrEqual(MAX_EXPOSURE);
  });

  it('notices a unit that is not hardened (the check can fail)', () => {
    const bare = unit.replace(/^(DynamicUser|ProtectSystem|CapabilityBoundingSet|SystemCallFilter|RestrictAddressFamilies)=.*$/gm, '');
    expect(analyzeSecurity(unitWithRealBinary(bare))).toBeGreaterThan(MAX_EXPOSURE);
    expect(analyzeVerify(unitWithRealBinary(unit.replace('RestartSec=2', 'RestartSec=two'))).output).toMatch(/RestartSec|sec value/);
  });

  it('runs the installed binary as a dynamic user in dialout, with a state directory and a token file, and no token', () => {
    const settings = unitSettings(unit);
    expect(settings.get('ExecStart')?.[0]).toMatch(/^\/usr\/local\/bin\/serialdeck /);
    expect(settings.get('DynamicUser')).toEqual(['yes']);
    expect(settings.get('SupplementaryGroups')).toEqual(['dialout']);
    expect(settings.get('StateDirectory')).toEqual(['serialdeck']);
    expect(settings.get('EnvironmentFile')).toEqual(['/etc/serialdeck/serialdeck.env']);
    expect(settings.has('User')).toBe(false);
    expect(settings.has('Environment')).toBe(false); // bug 10: it carried SERIALDECK_TOKEN=change-me-…
    const lines = unit.split('\n').filter((line) => !line.startsWith('#'));
    expect(lines.filter((line) => /\/home\/pi|User=pi|SERIALDECK_TOKEN=/.test(line))).toEqual([]);
    // V8's JIT needs writable code; a serial port needs /dev/tty*.
    expect(settings.has('MemoryDenyWriteExecute')).toBe(false);
    expect(settings.has('PrivateDevices')).toBe(false);
    expect(settings.get('DeviceAllow')).toEqual(expect.arrayContaining(['char-ttyACM rw', 'char-ttyUSB rw']));
  });

  it("ExecStart's flags are a valid serve command on the LAN", () => {
    const execStart = unitSettings(unit).get('ExecStart')?.[0] ?? '';
    const command = parseCli(execStart.split(' ').slice(1), { SERIALDECK_TOKEN: A_TOKEN });
    expect(command.kind).toBe('serve');
    if (command.kind !== 'serve') return;
    expect(command.config.host).toBe('0.0.0.0');
    expect(command.config.listenPort).toBe(8080);
    expect(command.config.token).toBe(A_TOKEN);
  });

  it('serialdeck refuses the placeholder token the old unit shipped, with exit status 2 (no restart loop)', async () => {
    expect(unitSettings(unit).get('RestartPreventExitStatus')).toEqual(['2']);
    const run = await runCli(['demo', '--no-capture', '-p', '0'], { SERIALDECK_TOKEN: 'change-me-to-a-long-random-string' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^serialdeck: SERIALDECK_TOKEN is a placeholder from an example, known to anyone: set a random one/);
    expect(run.stdout).toBe('');
  });
});

describe('serialdeck service', () => {
  it('prints a unit for the devices and flags given, which systemd-analyze verifies', async () => {
    const run = await runCli(['service', '/dev/ttyUSB0', '--baud', '250000', '--host', '0.0.0.0', '--line-delay', '5'], {});
    expect(run).toMatchObject({ status: 0, stderr: '' });
    // Run from source, not as an installed `serialdeck`: the unit names the usual install path.
    const execStart = unitSettings(run.stdout).get('ExecStart');
    expect(execStart).toEqual([`${DEFAULT_BINARY} /dev/ttyUSB0 --baud 250000 --host 0.0.0.0 --line-delay 5`]);
    expect(analyzeVerify(unitWithRealBinary(run.stdout))).toEqual({ status: 0, output: '' });
  });

  it('refuses what cannot work in a unit, and a bad flag, with one line', () => {
    const service = (...args: string[]): unknown => parseCli(['service', ...args], {}, () => ({}));
    expect(() => service('/dev/ttyACM0', '--token', A_TOKEN)).toThrow(/^service: a --token in ExecStart is readable by every user/);
    expect(() => service('/dev/ttyACM0', '--data-dir', '/srv/capture')).toThrow(/^service: the capture goes to the unit's StateDirectory/);
    expect(() => service('--config', 'pi.yaml')).toThrow(/^service: give --config an absolute path/);
    expect(() => service('--baud', 'fast')).toThrow(ConfigError);
    expect(() => service('--bogus')).toThrow(/Unknown option '--bogus'/);
  });

  it('accepts an absolute --config and --no-capture', () => {
    const command = parseCli(['--config', '/etc/serialdeck/serialdeck.yaml', 'service', '--no-capture'], {}, () => ({ ports: ['demo'] }));
    expect(command).toEqual({ kind: 'service', args: ['--config', '/etc/serialdeck/serialdeck.yaml', '--no-capture'] });
  });

  it('quotes ExecStart words the way systemd reads them', () => {
    expect(quoteExecArg('/dev/ttyACM0')).toBe('/dev/ttyACM0');
    expect(quoteExecArg('/dev/serial/by-id/usb-My Board-if00')).toBe('"/dev/serial/by-id/usb-My Board-if00"');
    expect(quoteExecArg('50%')).toBe('50%%');
    expect(quoteExecArg('$HOME')).toBe('$$HOME');
    expect(quoteExecArg('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteExecArg('')).toBe('""');
  });
});
