// `serialdeck service DEVICE… [flags]`: prints a hardened systemd unit that runs this serialdeck with those flags.
// docs/serialdeck.service is this module's output for the example board (a test keeps them equal).
import { basename, isAbsolute } from 'node:path';
import type { Config } from './config-types.js';
import { ConfigError } from './config-error.js';

/** `serialdeck service`, parsed: the serve flags to put in ExecStart, checked, without "service". */
export interface ServiceCommand {
  kind: 'service';
  args: string[];
}

/**
 * Where `sudo npm install -g` puts the binary with Debian's and Raspberry Pi OS's own npm (prefix /usr/local)
 * and with the nodejs.org tarball unpacked in /usr/local; NodeSource's nodejs puts it in /usr/bin.
 */
export const DEFAULT_BINARY = '/usr/local/bin/serialdeck';

/** The capture folder StateDirectory=serialdeck gives the service. */
export const SERVICE_STATE_DIRECTORY = '/var/lib/serialdeck';

/** The ExecStart flags of docs/serialdeck.service: an Uno by its by-id path, served to the LAN. */
export const EXAMPLE_ARGS: readonly string[] = [
  '/dev/serial/by-id/usb-Arduino__www.arduino.cc__0043_XXXX-if00',
  '--baud',
  '115200',
  '--host',
  '0.0.0.0',
  '--port',
  '8080',
];

/**
 * Checks the flags of `serialdeck service` (argv without "service") with `resolve`, which parses them as a
 * serve command run under the unit's environment, and refuses what cannot work in the unit: a token on the
 * command line, a data directory other than the StateDirectory, a relative --config path. Throws ConfigError.
 */
export function serviceCommand(args: string[], resolve: (args: string[]) => Config): ServiceCommand {
  if (args.some((arg) => arg === '--token' || arg.startsWith('--token=')))
    throw new ConfigError(
      'service: a --token in ExecStart is readable by every user (ps, systemctl show): put SERIALDECK_TOKEN=… in /etc/serialdeck/serialdeck.env',
    );
  const config = resolve(args);
  if (config.file !== null && !isAbsolute(config.file))
    throw new ConfigError(`service: give --config an absolute path (the service runs from /), got ${JSON.stringify(config.file)}`);
  if (config.dataDir !== null && config.dataDir !== SERVICE_STATE_DIRECTORY)
    throw new ConfigError(
      `service: the capture goes to the unit's StateDirectory (${SERVICE_STATE_DIRECTORY}), which the service may write; leave out --data-dir and dataDir`,
    );
  return { kind: 'service', args };
}

/**
 * The binary to name in ExecStart: the `serialdeck` this process was started as (`argv1`, a link npm made,
 * kept as the stable path across upgrades), else DEFAULT_BINARY (run from a checkout, or by another name).
 */
export function serviceBinary(argv1: string | undefined): string {
  return argv1 && isAbsolute(argv1) && basename(argv1) === 'serialdeck' ? argv1 : DEFAULT_BINARY;
}

/**
 * One ExecStart word: `%` and `$` escaped (systemd expands specifiers and variables), double-quoted when it holds
 * a space, quote, backslash or semicolon, or is empty.
 */
export function quoteExecArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[^\s"'\\;]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The unit file text for `binary` run with `args` (already checked by serviceCommand). */
export function renderServiceUnit(binary: string, args: readonly string[]): string {
  const execStart = [binary, ...args].map(quoteExecArg).join(' ');
  return UNIT_TEMPLATE.replace('@EXEC_START@', () => execStart);
}

// Each setting's reason is beside it, in the file the user installs. docs/raspberry-pi.md has the steps.
const UNIT_TEMPLATE = `# systemd unit for a headless serialdeck (a Raspberry Pi, or any Linux with systemd): docs/raspberry-pi.md.
#   sudo npm install -g ./serialdeck-<version>.tgz     # the packed release: nothing is built on the Pi
#   serialdeck service DEVICE… [flags] > serialdeck.service   # this file, for your devices and flags
#   sudo install -d -m 0700 /etc/serialdeck              # and the token file, mode 0600 (docs/raspberry-pi.md)
#   sudo cp serialdeck.service /etc/systemd/system/ && sudo systemctl daemon-reload
#   sudo systemctl enable --now serialdeck && journalctl -u serialdeck -f   # the URL to open, with ?token=…
[Unit]
Description=serialdeck web serial console
After=network-online.target
Wants=network-online.target

[Service]
# ${DEFAULT_BINARY} is where \`sudo npm install -g\` puts it with Raspberry Pi OS's (Debian's) own npm and with
# the nodejs.org tarball in /usr/local; NodeSource's nodejs puts it in /usr/bin. \`command -v serialdeck\` says.
# A /dev/serial/by-id/ path survives re-plugging: \`serialdeck list\` prints it.
ExecStart=@EXEC_START@
# SERIALDECK_TOKEN=… from a root-owned file of mode 0600 (systemd reads it before dropping privileges). There
# is no default token: without the file the unit does not start, and serialdeck refuses a placeholder token.
EnvironmentFile=/etc/serialdeck/serialdeck.env
Restart=on-failure
RestartSec=2
# Exit status 2 is a bad flag, config value or token: a restart cannot fix it, and \`systemctl status\` shows why.
RestartPreventExitStatus=2

# Who: a user made up at each start (no \`pi\`, no account to create), in the group that owns serial ports.
DynamicUser=yes
SupplementaryGroups=dialout
# The capture lives in ${SERVICE_STATE_DIRECTORY}; serialdeck reads $STATE_DIRECTORY (docs/config.md).
StateDirectory=serialdeck
UMask=0077

# Devices: PrivateDevices= stays off (it would hide /dev/tty*); instead only serial ports are reachable:
# USB CDC (Arduino Uno, many ESP32-S3), USB-serial adapters (CH340, CP210x, FTDI) and the Pi's own UARTs.
DevicePolicy=closed
DeviceAllow=char-ttyACM rw
DeviceAllow=char-ttyUSB rw
DeviceAllow=char-ttyAMA rw
DeviceAllow=char-ttyS rw

# Hardening: \`systemd-analyze security serialdeck\` rates this 1.8 (OK); the tests hold it at 2.5 or less.
# Left out on purpose: MemoryDenyWriteExecute (V8's JIT writes code), PrivateNetwork and IPAddressDeny (it
# serves the LAN), PrivateUsers (it would unmap the dialout group), ProcSubset=pid (Node sizes its heap
# from /proc/meminfo).
CapabilityBoundingSet=
AmbientCapabilities=
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ProtectProc=invisible
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
# AF_NETLINK: listing the LAN addresses to print (getifaddrs) when serving 0.0.0.0.
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RemoveIPC=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged
# A call outside the filter fails with EPERM (Node copes) instead of killing the process.
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
`;
