// `serialdeck token [--name NAME] [--role ROLE] [--port ID=ROLE]...`: makes a random token and prints
// it once, with the config entry that stores only its hash (docs/security.md). Nothing is written.
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { hashToken } from './access/credentials.js';
import { generateToken } from './access/token.js';
import { ConfigError } from './config-error.js';
import { checkRole, type Role } from './wire/roles.js';

/** A parsed `token` command. */
export interface TokenCommand {
  kind: 'token';
  name: string;
  role: Role;
  ports: Record<string, Role>;
}

const TOKEN_OPTIONS = {
  name: { type: 'string' },
  role: { type: 'string' },
  port: { type: 'string', multiple: true },
} as const;

/** Parses the arguments after `token`; throws ConfigError naming the flag. */
export function parseTokenCommand(argv: string[]): TokenCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: false, strict: true, options: TOKEN_OPTIONS });
  } catch (error) {
    throw new ConfigError(`token: ${(error as Error).message.split('\n')[0] ?? 'bad arguments'}`);
  }
  const { values } = parsed;
  const name = values.name ?? 'operator';
  if (!/^[\w.@-]{1,64}$/.test(name)) throw new ConfigError(`token: --name must be 1 to 64 letters, digits, ".", "_", "-" or "@", got ${JSON.stringify(name)}`);
  const role = readRole('--role', values.role ?? 'operator');
  const ports: Record<string, Role> = {};
  for (const entry of values.port ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new ConfigError(`token: --port must be ID=ROLE, like printer=admin, got ${JSON.stringify(entry)}`);
    ports[entry.slice(0, eq)] = readRole(`--port ${entry.slice(0, eq)}`, entry.slice(eq + 1));
  }
  return { kind: 'token', name, role, ports };
}

/** The text `token` prints: the token once, and the `tokens:` entry to paste into the config. */
export function renderToken(command: TokenCommand, token = generateToken()): string {
  const entry: Record<string, unknown> = { name: command.name, hash: hashToken(token), role: command.role };
  if (Object.keys(command.ports).length > 0) entry.ports = command.ports;
  return (
    `Token for ${command.name} (shown once; give it to them, keep no copy):\n\n  ${token}\n\n` +
    `Add this to the config file's tokens list (it holds only the token's hash):\n\n` +
    stringify({ tokens: [entry] })
  );
}

function readRole(flag: string, value: string): Role {
  const checked = checkRole(value);
  if (!checked.ok) throw new ConfigError(`token: ${flag} ${checked.error}`);
  return checked.role;
}
