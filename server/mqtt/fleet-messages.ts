// The JSON payloads of the MQTT topics (see topics.ts), written once for the bridge and the fleet
// console. docs/fleet.md documents them.
import type { PortCommand } from '../wire/protocol.js';
import type { CaptureStatus, CommandResult } from '../wire/api.js';
import type { DeviceStatus } from '../wire/protocol.js';

/** Retained on `<root>/<node>/status`; the Last Will publishes `{ online: false, node }` (retained). */
export interface NodeStatus {
  online: boolean;
  node: string;
  /** Ids of the ports this node bridges (absent in the Last Will). */
  ports?: string[];
  /** When this was published, ms since the epoch (absent in the Last Will: the broker sends it, not the node). */
  timeMs?: number;
  /** serialdeck's version on the node. */
  version?: string;
}

/** Retained on `<root>/<node>/<port>/status`: what the picker shows, and where the stream stands. */
export interface PortStatus {
  id: string;
  name: string;
  device: DeviceStatus;
  capture: CaptureStatus;
  /** The durable stream id and its next offset when this was published. */
  stream: { id: string; end: number };
  /** The next live frame's seq (so a console that joins knows where the sequence stands). */
  nextSeq: number;
}

/** On `<root>/<node>/<port>/records`: one parsed record (see the line layer). */
export interface RecordMessage {
  offset: number;
  timeMs: number;
  format: string;
  fields: Record<string, number | string | boolean | null>;
}

/**
 * On `<root>/<node>/<port>/in`. Exactly one of `command`, `text`, `base64`. `from` names the sender
 * for the capture and audit (`mqtt:<from>`); `token`, when the node requires one, authorizes it.
 */
export interface InputRequest {
  transaction?: string;
  from?: string;
  token?: string;
  command?: PortCommand;
  /** UTF-8 text to write (a command line with its ending). */
  text?: string;
  /** Bytes to write, base64. */
  base64?: string;
}

/** On `<root>/<node>/<port>/in/response`: the answer, with the request's transaction. */
export type InputResponse = { transaction?: string } & CommandResult;

/** On `<root>/<node>/<port>/fetch`: republish [from, to) of the stream to the console's replay topic. */
export interface FetchRequest {
  /** The asking console's id: the answer goes to replay(consoleId, node, port). */
  consoleId: string;
  from: number;
  to: number;
}
