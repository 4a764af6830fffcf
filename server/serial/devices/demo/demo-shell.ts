// The demo board's command shell: one command line in, the text to print back out.
// Output uses CRLF line endings and a little ANSI colour, as a real sketch printing to a terminal.
import { isReadingFormat, READING_FORMATS, type ReadingFormat } from './demo-formats.js';

/** ANSI sequences the demo board prints, so the console proves it renders them. */
export const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  red: '\x1b[31m',
  green: '\x1b[1;32m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
} as const;

/** Shortest and longest telemetry interval accepted, in ms: faster floods the console for no insight; slower looks dead. 0 stops telemetry. */
export const DEMO_INTERVAL_MIN_MS = 100;
export const DEMO_INTERVAL_MAX_MS = 60_000;

/** What the shell can see and change on its board. */
export interface DemoShellBoard {
  intervalMs: number;
  led: boolean;
  readonly uptimeMs: number;
  readonly readings: number;
  /** The reading format, `json` after a reset. */
  readonly format: ReadingFormat;
  /** Chooses the reading format (or the same again); returns the lines announcing it (in CSV, the header line). */
  chooseFormat(format: ReadingFormat): string[];
  /** One reading now in the current format: its line (no ending), after the CSV header line when one is due. */
  readLines(): string[];
}

const HELP = [
  `${ANSI.bold}commands${ANSI.reset}`,
  '  help            this list',
  '  status          uptime, interval, LED, readings sent',
  `  interval <ms>   telemetry period (0 stops it, or ${DEMO_INTERVAL_MIN_MS}..${DEMO_INTERVAL_MAX_MS})`,
  '  format <f>      readings as json, plotter (label:value) or csv',
  '  led on|off      the on-board LED',
  '  echo <text>     prints <text> back',
  '  read            one reading now',
];

/** Runs one command line; returns the lines to print (without endings). An empty line prints nothing. */
export function runDemoCommand(line: string, board: DemoShellBoard): string[] {
  const trimmed = line.trim();
  if (trimmed === '') return [];
  const [command = '', ...args] = trimmed.split(/\s+/);
  switch (command) {
    case 'help':
      return HELP;
    case 'status':
      return [
        `uptime ${(board.uptimeMs / 1000).toFixed(1)} s, interval ${board.intervalMs} ms, ` +
          `led ${board.led ? 'on' : 'off'}, readings ${board.readings}`,
      ];
    case 'interval': {
      const ms = Number(args[0]);
      const valid = args.length === 1 && Number.isInteger(ms) && (ms === 0 || (ms >= DEMO_INTERVAL_MIN_MS && ms <= DEMO_INTERVAL_MAX_MS));
      if (!valid) return [error(`interval wants 0 or ${DEMO_INTERVAL_MIN_MS}..${DEMO_INTERVAL_MAX_MS} (ms)`)];
      board.intervalMs = ms;
      return [ms === 0 ? 'telemetry stopped' : `interval ${ms} ms`];
    }
    case 'format': {
      // `format` alone reports the current one (and in CSV prints the header again).
      const format = args[0] ?? board.format;
      if (args.length > 1 || !isReadingFormat(format)) return [error(`usage: format ${READING_FORMATS.join('|')}`)];
      const announce = board.chooseFormat(format);
      return [`format ${format}`, ...announce];
    }
    case 'led': {
      const state = args[0];
      if (args.length !== 1 || (state !== 'on' && state !== 'off')) return [error('usage: led on|off')];
      board.led = state === 'on';
      return [`LED ${board.led ? `${ANSI.yellow}on${ANSI.reset}` : 'off'}`];
    }
    case 'echo':
      // The text after "echo " exactly as typed, inner spacing included.
      return [line.replace(/^\s*echo\s?/, '')];
    case 'read':
      return board.readLines();
    default:
      return [error(`unknown command "${command}" (type help)`)];
  }
}

function error(text: string): string {
  return `${ANSI.red}error: ${text}${ANSI.reset}`;
}
