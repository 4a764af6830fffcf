// The fleet console's commands as they travel to a node: the command path's worker messages turned
// back into the wire's vocabulary (an InputRequest), and a node's InputResponse turned into the
// worker result the command path settles. Pure, written once for the remote link and its tests.
import type { FromWorker, ToWorker } from '../serial/messages.js';
import type { InputRequest, InputResponse } from '../mqtt/fleet-messages.js';
import type { PortCommand } from '../wire/protocol.js';

/**
 * The InputRequest for a worker message, without transaction and from; null for messages that
 * only concern a local worker (`close`, `consumed`) and have no meaning at a node.
 */
export function inputRequestFor(message: ToWorker): InputRequest | null {
  const command = commandFor(message);
  if (command === null) return null;
  if (command === 'write') return { base64: Buffer.from((message as { data: Uint8Array }).data).toString('base64') };
  return { command };
}

function commandFor(message: ToWorker): PortCommand | 'write' | null {
  switch (message.type) {
    case 'write':
      return 'write';
    case 'open':
      return { type: 'reopen' };
    case 'set-baud':
      return { type: 'set-baud', baudRate: message.baudRate };
    case 'set-signals': {
      // The command path turns a reset into a DTR/RTS pulse: at the node it is a reset again.
      if (message.pulseMs !== undefined) return { type: 'reset', ms: message.pulseMs };
      const command: PortCommand = { type: 'set-signals' };
      if (message.dtr !== undefined) command.dtr = message.dtr;
      if (message.rts !== undefined) command.rts = message.rts;
      return command;
    }
    case 'set-pacing':
      return { type: 'set-pacing', charDelayMs: message.charDelayMs, lineDelayMs: message.lineDelayMs };
    case 'set-framing': {
      const { id: _id, ...fields } = message;
      return fields;
    }
    case 'send-break':
      return { type: 'send-break', ms: message.ms };
    case 'release':
      return { type: 'release', forMs: message.forMs };
    case 'reclaim':
      return { type: 'reclaim' };
    case 'close':
    case 'consumed':
      return null;
  }
}

/** The worker result for command `id` from a node's answer (its code kept, so a node's refusal reads the same here). */
export function workerResultFor(id: number, response: InputResponse): Extract<FromWorker, { type: 'result' }> {
  if (response.ok) return { type: 'result', id, ok: true, ...(response.written !== undefined ? { written: response.written } : {}) };
  return {
    type: 'result',
    id,
    ok: false,
    error: { message: response.message, code: response.code },
    ...(response.written !== undefined ? { written: response.written } : {}),
  };
}

/** A refusal made at the console (the node is offline, or did not answer), as a worker result. */
export function refusalFor(id: number, code: string, message: string): Extract<FromWorker, { type: 'result' }> {
  return { type: 'result', id, ok: false, error: { message, code } };
}
