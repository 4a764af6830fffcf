// docs/config.md stays true: its example file resolves to what the text says, and its tables show DEFAULTS.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULTS, resolveConfig, type ConfigInput } from '../../server/config.js';
import { formatDuration, formatSize } from '../../server/config-units.js';
import { AUDIT_DEFAULTS } from '../../server/audit/audit-types.js';
import { MQTT_DEFAULTS } from '../../server/config-mqtt.js';

const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');

describe('docs/config.md', () => {
  it('its example file resolves to two boards, one by by-id path and one by USB identity', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const config = resolveConfig(parse(example ?? '') as ConfigInput, { file: 'serialdeck.yaml', env: { HOME: '/home/pi', STATE_DIRECTORY: '/var/lib/serialdeck' } });
    expect(config.ports.map((p) => [p.id, p.name, p.path, p.match, p.baudRate, p.dtr, p.lineDelayMs])).toEqual([
      ['arduino-uno-1234', 'arduino-uno-1234', '/dev/serial/by-id/usb-Arduino_Uno_1234-if00', null, 115200, false, 0],
      ['printer', 'Printer', 'usb:1a86:7523', { vendorId: '1a86', productId: '7523' }, 250000, true, 5],
    ]);
    expect(config.ports[0]!.retention).toEqual({ bytes: 128 * 1024 ** 2, ageMs: 30 * 86_400_000 });
    expect(config).toMatchObject({ host: '0.0.0.0', listenPort: 8080, dataDir: '/var/lib/serialdeck' });
  });

  it.each([
    ['host', `\`${DEFAULTS.host}\``],
    ['listenPort', `\`${DEFAULTS.listenPort}\``],
    ['maxClients', `\`${DEFAULTS.maxClients}\``],
    ['watch', `\`${DEFAULTS.watch}\``],
    ['baud', `\`${DEFAULTS.port.baudRate}\``],
    ['charDelayMs', `\`${DEFAULTS.port.charDelayMs}\``],
    ['dataBits', `\`${DEFAULTS.port.dataBits}\``],
    ['parity', `\`${DEFAULTS.port.parity}\``],
    ['stopBits', `\`${DEFAULTS.port.stopBits}\``],
    ['flow', `\`${DEFAULTS.port.flow}\``],
    ['scrollback', `\`${formatSize(DEFAULTS.port.scrollbackBytes)}\``],
    ['retention.bytes', `\`${formatSize(DEFAULTS.port.retention.bytes)}\``],
    ['retention.age', `\`${formatDuration(DEFAULTS.port.retention.ageMs)}\``],
    ['audit.fileSize', `\`${formatSize(AUDIT_DEFAULTS.fileBytes)}\``],
    ['audit.fileAge', `\`${formatDuration(AUDIT_DEFAULTS.fileAgeMs)}\``],
    ['audit.total', `\`${formatSize(AUDIT_DEFAULTS.totalBytes)}\``],
    ['audit.memory', `\`${formatSize(AUDIT_DEFAULTS.memoryBytes)}\``],
    ['mqtt.root', `\`${MQTT_DEFAULTS.root}\``],
    ['mqtt.rejectUnauthorized', `\`${MQTT_DEFAULTS.rejectUnauthorized}\``],
    ['mqtt.inputRole', `\`${MQTT_DEFAULTS.inputRole}\``],
    ['mqtt.keepalive', `\`${formatDuration(MQTT_DEFAULTS.keepaliveSeconds * 1000)}\``],
    ['writers', `\`${DEFAULTS.port.writers}\``],
  ])('its table gives %s the default in DEFAULTS (%s)', (field, shown) => {
    expect(doc).toContain(`| \`${field}\` | ${shown} |`);
  });
});
