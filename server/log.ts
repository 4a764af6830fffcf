// The server's log: one plain line per event on stderr, made for journald (`journalctl -u
// serialdeck`): no colour, and under systemd each line starts with its syslog priority (`<3>` …
// `<7>`), which journald turns into the entry's level. How much is said follows --quiet/--verbose.

/** How important a line is. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/** How much to say: quiet (errors and warnings), normal (plus device and client events), verbose (plus every command). */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** Where lines go. */
export type LogSink = (level: LogLevel, line: string) => void;

/** The server's logger. Never give it a token: lines are written as they are. */
export interface Logger {
  error(line: string): void;
  warn(line: string): void;
  info(line: string): void;
  debug(line: string): void;
}

const LEAST_LEVEL: Record<Verbosity, number> = { quiet: 1, normal: 2, verbose: 3 };
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
/** syslog priorities (sd-daemon(3)): journald reads them from the start of each line. */
const PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

/** A logger that passes lines at or above `verbosity`'s level to `sink`. */
export function createLogger(verbosity: Verbosity, sink: LogSink): Logger {
  const at = (level: LogLevel) => (line: string) => {
    if (RANK[level] <= LEAST_LEVEL[verbosity]) sink(level, line);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** Lines to stderr, prefixed `serialdeck: ` for a person, or with the syslog priority when journald reads them (JOURNAL_STREAM is set). */
export function stderrSink(env: Record<string, string | undefined>, write: (text: string) => void): LogSink {
  const journald = env.JOURNAL_STREAM !== undefined && env.JOURNAL_STREAM !== '';
  return (level, line) => write(journald ? `<${PRIORITY[level]}>${line}\n` : `serialdeck: ${line}\n`);
}

/** Removes any `token=` query value from a URL or path before it is logged. */
export function withoutToken(urlOrPath: string): string {
  // Tickets too: spent within seconds, but a log is no place for a credential of any lifetime.
  return urlOrPath.replace(/([?&](?:token|ticket)=)[^&#]*/gi, '$1…');
}
