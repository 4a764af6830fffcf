#!/usr/bin/env node
// serialdeck's command line: argv (and --config) → Config (cli-args.ts), start(), one "listening" line, signals → close().
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { parseCli, USAGE } from './cli-args.js';
import { ConfigError } from './config.js';
import { sendRelease } from './cli-release.js';
import { fetchWithTls } from './cli-tls-fetch.js';
import { listPorts } from './serial/devices/list-ports.js';
import { formatPortList } from './format-port-list.js';
import { renderServiceUnit, serviceBinary } from './service-unit.js';
import { renderToken } from './cli-token.js';
import { start } from './start.js';

async function main(): Promise<void> {
  let command;
  try {
    command = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`serialdeck: ${error.message} (see serialdeck --help)\n`);
    process.exit(2);
  }
  if (command.kind === 'help') return void process.stdout.write(USAGE);
  if (command.kind === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return void process.stdout.write(`${pkg.version}\n`);
  }
  if (command.kind === 'list') return void process.stdout.write(formatPortList(await listPorts()));
  if (command.kind === 'release' || command.kind === 'reclaim') {
    let fetchImpl = fetch;
    try {
      if (Object.keys(command.tls).length > 0) fetchImpl = fetchWithTls(command.tls);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`serialdeck: ${error.message}\n`);
      process.exit(2);
    }
    const outcome = await sendRelease(command, fetchImpl);
    (outcome.ok ? process.stdout : process.stderr).write(`${outcome.text}\n`);
    return void (process.exitCode = outcome.ok ? 0 : 1);
  }
  if (command.kind === 'token') return void process.stdout.write(renderToken(command));
  if (command.kind === 'service') return void process.stdout.write(renderServiceUnit(serviceBinary(process.argv[1]), command.args));

  const server = await start(command.config, { verbosity: command.verbosity }).catch((error: NodeJS.ErrnoException) => {
    // A certificate file that cannot be used is a config mistake (status 2), found only when start() reads it.
    if (error instanceof ConfigError) process.stderr.write(`serialdeck: ${error.message}\n`);
    else process.stderr.write(`serialdeck: cannot listen on ${command.config.host}:${command.config.listenPort}: ${error.message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  });
  // Handlers go in before the listening line: whoever reads that line may signal at once.
  let signals = 0;
  const stop = (): void => {
    // A second Ctrl+C while closing means "now".
    if (++signals > 1) process.exit(130);
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`serialdeck listening on ${server.openUrl}\n`);
  if (['0.0.0.0', '::'].includes(command.config.host)) {
    const { protocol, port } = new URL(server.url);
    for (const addr of Object.values(networkInterfaces()).flat())
      if (addr && addr.family === 'IPv4' && !addr.internal)
        process.stdout.write(`  also on ${protocol}//${addr.address}:${port}/${server.openUrl.slice(server.url.length)}\n`);
  }
}

await main();
