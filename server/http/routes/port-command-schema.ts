// The body of POST /api/ports/:id/command as a schema, for the OpenAPI document and the router's
// check: every PortCommand, with its numbers from server/wire/limits.ts. The WebSocket decodes the
// same commands with decodePortCommand (server/wire/protocol.ts, browser-safe, so it cannot use
// TypeBox); the route refuses in that decoder's words, and a unit test holds the two to the same
// verdict on every command.
import { Type, type TSchema } from '@sinclair/typebox';
import {
  DATA_BITS,
  DEFAULT_BREAK_MS,
  DEFAULT_RELEASE_MS,
  FLOW_CONTROLS,
  MAX_BAUD_RATE,
  MAX_BREAK_MS,
  MAX_PACING_DELAY_MS,
  MAX_RELEASE_MS,
  MAX_RESET_MS,
  MIN_RELEASE_MS,
} from '../../wire/limits.js';
import { PARITIES, STOP_BITS } from '../../wire/limits.js';
import { RESET_PULSE_MS } from '../../ports/command-path.js';
import { literals } from '../schema-helpers.js';

const id = Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Correlation id (WebSocket); ignored over HTTP, where the answer is the response.' }));
const pacingMs = Type.Integer({ minimum: 0, maximum: MAX_PACING_DELAY_MS });

function command(type: string, fields: Record<string, TSchema>, description: string): TSchema {
  return Type.Object({ type: Type.Literal(type), ...fields, id }, { title: type, description });
}

const framingFields = {
  dataBits: literals(DATA_BITS),
  parity: literals(PARITIES),
  stopBits: literals(STOP_BITS),
  flow: literals(FLOW_CONTROLS, { description: 'hard: RTS/CTS; soft: XON/XOFF.' }),
};

/** Every command a port takes (PortCommand in server/wire/protocol.ts). */
export const PortCommandSchema = Type.Union(
  [
    command('set-baud', { baudRate: Type.Integer({ minimum: 1, maximum: MAX_BAUD_RATE }) }, 'Change the baud rate.'),
    command('set-signals', { dtr: Type.Optional(Type.Boolean()), rts: Type.Optional(Type.Boolean()) }, 'Set the DTR and RTS modem lines.'),
    command('reset', { ms: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RESET_MS, default: RESET_PULSE_MS })) }, 'Pulse DTR and RTS low for ms: the Arduino auto-reset.'),
    command('set-pacing', { charDelayMs: pacingMs, lineDelayMs: pacingMs }, 'Delay after each byte and after each line ending, in ms.'),
    command('reopen', {}, 'Close and reopen the device.'),
    Type.Intersect(
      [
        command('set-framing', Object.fromEntries(Object.entries(framingFields).map(([k, s]) => [k, Type.Optional(s)])), 'Change the character framing; omitted fields keep their value.'),
        // At least one field: anyOf the objects that each require one.
        Type.Union(Object.entries(framingFields).map(([k, s]) => Type.Object({ [k]: s }))),
      ],
      { title: 'set-framing', description: 'Change the character framing (at least one field); omitted fields keep their value.' },
    ),
    command('send-break', { ms: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BREAK_MS, default: DEFAULT_BREAK_MS })) }, 'Hold the transmit line low for ms. Refused where the device cannot (a pty).'),
    command(
      'release',
      { forMs: Type.Optional(Type.Integer({ minimum: MIN_RELEASE_MS, maximum: MAX_RELEASE_MS, default: DEFAULT_RELEASE_MS })) },
      'Close the device for forMs so another program can flash the board; reopened when the time is up or on reclaim.',
    ),
    command('reclaim', {}, 'End a release early: reopen the device now.'),
  ],
  { examples: [{ type: 'set-baud', baudRate: 9600 }, { type: 'set-framing', parity: 'even' }, { type: 'release', forMs: 60000 }] },
);
