// The built-in demo board: a simulated sensor board behind the same OpenPort interface as a
// real device, so it travels the same session → worker → message path. It boots with a banner
// and READY, prints a reading every interval (JSON after a boot; `format` chooses JSON,
// label:value pairs or CSV, as the sensor-board sketch does), echoes input like a terminal, and answers a
// small shell. Asserting DTR after it was low reboots it, as on an Arduino. It takes any framing
// (it has no wire to garble), and answers a break with `<break>` and a fresh prompt.
import { ReadlineParser } from '@serialport/parser-readline';
import { LineDiscipline } from './demo-line-discipline.js';
import { ReadingPrinter, type ReadingFormat } from './demo-formats.js';
import { SensorSimulator } from './demo-sensors.js';
import { ANSI, runDemoCommand, type DemoShellBoard } from './demo-shell.js';
import type { Framing } from '../../../wire/limits.js';
import { PortError, type OpenPort, type PortEvents, type PortOpener, type PortSignals } from '../port.js';

/** The device path that selects the demo board. */
export const DEMO_PATH = 'demo';
/** Pause between open (or reset) and the banner, in ms: like a bootloader's, so the banner follows the 'open' status. */
export const DEMO_BOOT_MS = 100;
/** Default telemetry interval, in ms: one reading a second, as the seed sketch prints. */
export const DEMO_DEFAULT_INTERVAL_MS = 1000;
/** The shell prompt, deliberately without a newline. */
export const DEMO_PROMPT = '> ';

/** Tuning for tests; the defaults are the board `serialdeck` users see. */
export interface DemoBoardOptions {
  intervalMs?: number;
  bootMs?: number;
  /** [0, 1) source for the sensor drift. */
  random?: () => number;
}

const BANNER = [
  `${ANSI.green}serialdeck demo board${ANSI.reset} ${ANSI.cyan}fw 1.0${ANSI.reset}`,
  'sensors: DHT11 (temp, humidity), MQ-135 (ppm), BMP180 (pressure)',
  `type ${ANSI.bold}help${ANSI.reset} for commands`,
  'READY',
];

/** One simulated board, open on construction; it boots after DEMO_BOOT_MS. */
export class DemoBoard implements OpenPort, DemoShellBoard {
  led = false;
  readings = 0;
  private interval: number;
  private booted = false;
  private bootedBefore = false;
  private closed = false;
  /** True while a break holds the line: bytes written then are lost, as on a wire held low. */
  private inBreak = false;
  private bootedAt = 0;
  private bootTimer: NodeJS.Timeout | undefined;
  private telemetryTimer: NodeJS.Timeout | undefined;
  private signals: PortSignals = { dtr: true, rts: true }; // the tty driver asserts both on open
  private readonly encoder = new TextEncoder();
  private readonly sensors: SensorSimulator;
  /** The reading format, reset to JSON on every boot. */
  private printer = new ReadingPrinter();
  private readonly discipline: LineDiscipline;
  private readonly parser = new ReadlineParser({ delimiter: '\n', encoding: 'utf8' });
  private readonly bootMs: number;
  /** Output held while reading is paused, as a UART's buffer would hold it (a few hundred bytes a second at most). */
  private held: Uint8Array[] | null = null;

  /** Starts booting at once; output goes to `events.data`. */
  constructor(
    private readonly events: PortEvents,
    options: DemoBoardOptions = {},
  ) {
    this.interval = options.intervalMs ?? DEMO_DEFAULT_INTERVAL_MS;
    this.bootMs = options.bootMs ?? DEMO_BOOT_MS;
    this.sensors = new SensorSimulator(options.random);
    this.discipline = new LineDiscipline({
      echo: (bytes) => this.emit(bytes),
      // Lines are framed by parser-readline, as a host-side tool would frame a board's output.
      // parser-readline drops empty lines, but a bare Enter still deserves a fresh prompt.
      line: (line) =>
        line.byteLength === 0 ? this.print(DEMO_PROMPT) : this.parser.write(Buffer.concat([line, Buffer.from('\n')])),
      interrupt: () => this.print(`^C\r\n${DEMO_PROMPT}`),
    });
    // ReadlineParser emits synchronously from write(), so a command's output precedes the echo of what follows it.
    this.parser.on('data', (line: string) => this.runCommand(line));
    this.parser.on('error', () => undefined); // cannot happen for in-memory writes; never crash the worker
    this.boot();
  }

  get intervalMs(): number {
    return this.interval;
  }

  set intervalMs(ms: number) {
    this.interval = ms;
    this.scheduleTelemetry();
  }

  get uptimeMs(): number {
    return Date.now() - this.bootedAt;
  }

  get format(): ReadingFormat {
    return this.printer.format;
  }

  chooseFormat(format: ReadingFormat): string[] {
    return this.printer.choose(format);
  }

  readLines(): string[] {
    this.readings++;
    return this.printer.lines(this.sensors.read());
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.closed) throw new PortError('demo board is closed', { code: 'EBADF' });
    if (this.booted && !this.inBreak) this.discipline.feed(data); // bytes sent while it boots are lost, as on a real board
  }

  pauseReading(): void {
    this.held ??= [];
  }

  resumeReading(): void {
    const held = this.held;
    this.held = null;
    for (const bytes of held ?? []) this.emit(bytes);
  }

  async setBaudRate(): Promise<void> {
    if (this.closed) throw new PortError('demo board is closed', { code: 'EBADF' });
  }

  async setSignals(signals: PortSignals): Promise<void> {
    if (this.closed) throw new PortError('demo board is closed', { code: 'EBADF' });
    const reset = !this.signals.dtr && signals.dtr;
    this.signals = { ...signals };
    if (reset) this.boot();
  }

  async setFraming(framing: Framing): Promise<Framing> {
    if (this.closed) throw new PortError('demo board is closed', { code: 'EBADF' });
    return { ...framing };
  }

  async setBreak(on: boolean): Promise<void> {
    if (this.closed) throw new PortError('demo board is closed', { code: 'EBADF' });
    this.inBreak = on;
    // Seen when the line comes back up, as a UART sees a framing error followed by idle.
    if (!on && this.booted) {
      this.discipline.reset();
      this.print(`<break>\r\n${DEMO_PROMPT}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.booted = false;
    clearTimeout(this.bootTimer);
    clearTimeout(this.telemetryTimer);
    this.parser.destroy();
  }

  private boot(): void {
    this.booted = false;
    clearTimeout(this.bootTimer);
    clearTimeout(this.telemetryTimer);
    this.discipline.reset();
    this.bootTimer = setTimeout(() => {
      this.booted = true;
      this.bootedAt = Date.now();
      this.readings = 0;
      this.led = false;
      this.printer = new ReadingPrinter();
      // After a reset the banner starts on a fresh line, below the old prompt.
      const lead = this.bootedBefore ? '\r\n' : '';
      this.bootedBefore = true;
      this.print(`${lead}${BANNER.join('\r\n')}\r\n${DEMO_PROMPT}`);
      this.scheduleTelemetry();
    }, this.bootMs);
  }

  private scheduleTelemetry(): void {
    clearTimeout(this.telemetryTimer);
    if (!this.booted || this.interval <= 0) return;
    this.telemetryTimer = setTimeout(() => {
      this.printAbovePrompt(this.readLines());
      this.scheduleTelemetry();
    }, this.interval);
  }

  private runCommand(line: string): void {
    const output = runDemoCommand(line, this);
    this.print(output.map((text) => `${text}\r\n`).join('') + DEMO_PROMPT);
  }

  /** Prints lines where the prompt is, then redraws the prompt and what was typed so far. */
  private printAbovePrompt(lines: string[]): void {
    this.print(`\r\x1b[2K${lines.join('\r\n')}\r\n${DEMO_PROMPT}`);
    const typed = this.discipline.pendingLine;
    if (typed.byteLength > 0) this.emit(typed);
  }

  private print(text: string): void {
    this.emit(this.encoder.encode(text));
  }

  private emit(bytes: Uint8Array): void {
    if (this.held) this.held.push(bytes);
    else if (!this.closed) this.events.data(bytes);
  }
}

/** A PortOpener that opens a fresh DemoBoard for the path DEMO_PATH and reports any other path as missing. */
export function createDemoOpener(options: DemoBoardOptions = {}): PortOpener {
  return {
    async open(request, events) {
      if (request.path !== DEMO_PATH) throw new PortError(`no such demo device: ${request.path}`, { code: 'ENOENT' });
      return new DemoBoard(events, options);
    },
  };
}
