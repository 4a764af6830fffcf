import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile, resolveConfig } from '../../server/config.js';
import { configRefusal } from './config-refusal.js';

const dir = mkdtempSync(join(tmpdir(), 'serialdeck-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const write = (text: string): string => {
  const file = join(dir, `c${files++}.yaml`);
  writeFileSync(file, text);
  return file;
};
const errorOf = configRefusal;

describe('loadConfigFile', () => {
  it('reads a YAML mapping that resolveConfig then checks', () => {
    const file = write(`
# two boards and the demo
host: 0.0.0.0
listenPort: 8081
defaults:
  baud: 9600
  retention: { bytes: 32MiB, age: 7d }
ports:
  - /dev/ttyACM0
  - name: Printer
    usb: 1a86:7523
    baud: 250000
  - demo
`);
    const input = loadConfigFile(file);
    const config = resolveConfig(input, { file, env: { HOME: '/home/pi' } });
    expect(config.ports.map((p) => [p.id, p.baudRate, p.retention.bytes])).toEqual([
      ['ttyacm0', 9600, 32 * 1024 ** 2],
      ['printer', 250000, 32 * 1024 ** 2],
      ['demo', 9600, 32 * 1024 ** 2],
    ]);
    expect(config).toMatchObject({ host: '0.0.0.0', listenPort: 8081, file });
  });

  it('reads an unquoted VID:PID as text (YAML 1.2 has no base-60 numbers)', () => {
    const input = loadConfigFile(write('ports:\n  - usb: 2341:0043\n'));
    expect(resolveConfig(input, { env: {} }).ports[0]!.match).toEqual({ vendorId: '2341', productId: '0043' });
  });

  it('an empty file is an empty config', () => {
    expect(loadConfigFile(write(''))).toEqual({});
    expect(loadConfigFile(write('# nothing yet\n'))).toEqual({});
  });

  it('a field error from a file names the file, the field and the reason', () => {
    const file = write('ports:\n  - demo\n  - path: /dev/ttyUSB0\n    baud: 0\n');
    expect(errorOf(() => resolveConfig(loadConfigFile(file), { file, env: {} }))).toBe(
      `${file}: ports[1].baud must be an integer from 1 to 20000000, got 0`,
    );
  });

  it('a YAML syntax error names the file, the line and the column', () => {
    const file = write('host: 0.0.0.0\nports:\n  - /dev/ttyACM0\n - demo\n');
    expect(errorOf(() => loadConfigFile(file))).toMatch(new RegExp(`^${file}:4:1: \\S`));
    const quote = write('host: "0.0.0.0\n');
    expect(errorOf(() => loadConfigFile(quote))).toMatch(new RegExp(`^${quote}:\\d+:\\d+: .*quote`));
  });

  it('a key given twice is an error with its line', () => {
    const file = write('host: a\nlistenPort: 1\nhost: b\n');
    expect(errorOf(() => loadConfigFile(file))).toBe(`${file}:3:1: Map keys must be unique`);
  });

  it.each([
    ['- demo\n', 'a list'],
    ['just words\n', '"just words"'],
    ['42\n', '42'],
  ])('a file that is not a mapping (%j) is refused with what it is', (text, what) => {
    const file = write(text);
    expect(errorOf(() => loadConfigFile(file))).toBe(`${file}: must be a mapping of settings (such as "ports:"), got ${what}`);
  });

  it('a missing file or a directory is named', () => {
    expect(errorOf(() => loadConfigFile(join(dir, 'nope.yaml')))).toBe(`${join(dir, 'nope.yaml')}: cannot read the config file: no such file`);
    expect(errorOf(() => loadConfigFile(dir))).toBe(`${dir}: cannot read the config file: is a directory`);
  });
});
