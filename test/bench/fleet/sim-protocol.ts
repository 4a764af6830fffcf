// What the fleet bench's child processes (the simulator and the floor subscriber) are told and what
// they answer, over Node's IPC channel: written once for both sides.

/** The traffic one simulator run offers: N ports on nodes of a few ports each, at a serial line's byte rate. */
export interface SimSettings {
  /** The broker, mqtt://127.0.0.1:PORT. */
  url: string;
  /** Topic root (the bridge's default). */
  root: string;
  ports: number;
  /** Ports per simulated node: one MQTT connection (and one Last Will) per node, as a Pi with a few boards has. */
  portsPerNode: number;
  /** Length of every line, newline included (test/bench/line-format.ts). */
  lineBytes: number;
  /** Bytes per second per port. */
  bytesPerSecond: number;
  /** How often a port's "serial read" publishes what arrived since the last, in ms. */
  readPeriodMs: number;
}

/** The simulated node and port names of port `index` (0-based): `n007` / `uart2`, a console id `n007.uart2`. */
export function simPortName(index: number, portsPerNode: number): { node: string; port: string } {
  return { node: `n${String(Math.floor(index / portsPerNode)).padStart(3, '0')}`, port: `uart${index % portsPerNode}` };
}

/** What one port published: its end offset, its line count, and the SHA-256 of every byte from offset 0. */
export interface SimPortResult {
  node: string;
  port: string;
  end: number;
  lines: number;
  sha256: string;
}

/** A simulator run's outcome. */
export interface SimResult {
  ports: SimPortResult[];
  /** Live frames published (and acknowledged by the broker). */
  frames: number;
  bytes: number;
  /** Fetch requests (gap fills) the nodes answered. */
  fetches: number;
  /** go → the last read, in ms (the broker's acknowledgements of the last frames come after). */
  elapsedMs: number;
  /** Reads that went out more than a read period late: the simulator itself could not keep up. */
  lateReads: number;
}

/** Parent → simulator. */
export type ToSim = { type: 'go'; durationMs: number };
/** Simulator → parent. */
export type FromSim = { type: 'ready' } | { type: 'done'; result: SimResult } | { type: 'error'; message: string };

/** What the floor subscriber checked of one port: where its frames reached and the hash of their bytes. */
export interface FloorPortResult {
  node: string;
  port: string;
  end: number;
  sha256: string;
  /** Bytes that never came (a gap before a frame), came twice or out of order, or are not well-formed lines. */
  errors: number;
}

/** The floor subscriber's outcome. */
export interface FloorResult {
  ports: FloorPortResult[];
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

/** How the floor subscriber is started: the broker, the root, the line length, and the first line whose latency counts. */
export interface FloorSettings {
  url: string;
  root: string;
  lineBytes: number;
  warmupLines: number;
}

/** Parent → floor subscriber: report once every port reached `ends` (by portKey), or after `deadlineMs`. */
export type ToFloor = { type: 'report'; ends: Record<string, number>; deadlineMs: number };
/** Floor subscriber → parent. */
export type FromFloor = { type: 'ready' } | { type: 'result'; result: FloorResult } | { type: 'error'; message: string };

/** Key of a port in maps and `ends`: `node/port`. */
export function portKey(node: string, port: string): string {
  return `${node}/${port}`;
}
