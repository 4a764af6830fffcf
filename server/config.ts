// Typed configuration: the one place where every option and its default is written down.
// Resolved by a pure function from flags and environment; the CLI only maps argv onto it.

/** Everything `start()` needs. Defaults are in DEFAULT_CONFIG. */
export interface Config {
  /** Serial device path, or `demo` for the built-in demo board. */
  device: string;
  baudRate: number;
  /** Address to listen on. Loopback by default; anything else requires a token. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Access token. Required (generated when not given) when host is not loopback. null: no auth. */
  token: string | null;
  /** Watch only: clients cannot write or change settings. */
  readOnly: boolean;
  /** Assert DTR / RTS after open (false: do not reset an Arduino on open, where the driver allows it). */
  dtr: boolean;
  rts: boolean;
  /** Write pacing in ms after each byte / after each line ending. */
  charDelayMs: number;
  lineDelayMs: number;
  /** Most WebSocket clients at once; more are refused with close code 1013. */
  maxClients: number;
  /** Scrollback kept for replay and resume, in bytes. */
  scrollbackBytes: number;
  /** Extra Origins allowed to open the WebSocket (besides the server's own host). */
  allowedOrigins: string[];
}
