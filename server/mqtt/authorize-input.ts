// Who may type to a port over MQTT, in one small function the roles model can later take over:
// for now a node's `mqtt.inputRole` for every sender, capped at viewer on a read-only node, and on
// a node with an access token only for requests that carry that token.
import { tokensEqual } from '../access/token.js';
import type { Requester } from '../ports/command-path.js';
import { weakerRole, type Role } from '../wire/roles.js';
import type { InputEnvelope } from './input-request.js';

/** What decides an input request's role. */
export interface InputPolicy {
  /** The node's access token (--token): when set, a request must carry it. */
  token: string | null;
  /** The role a sender gets (config mqtt.inputRole). */
  inputRole: Role;
  /** The node is read-only: every role is capped at viewer. */
  readOnly: boolean;
}

/** The requester for the command path (`mqtt:<from>`), or a `forbidden` refusal when the token is missing or wrong. */
export function authorizeInput(
  envelope: InputEnvelope,
  policy: InputPolicy,
): { ok: true; requester: Requester } | { ok: false; code: 'forbidden'; message: string } {
  if (policy.token !== null && (envelope.token === undefined || !tokensEqual(envelope.token, policy.token)))
    return { ok: false, code: 'forbidden', message: envelope.token === undefined ? 'this node requires its token in the request' : 'wrong token' };
  const role = policy.readOnly ? weakerRole(policy.inputRole, 'viewer') : policy.inputRole;
  const from = envelope.from;
  return { ok: true, requester: { source: from === undefined ? 'mqtt' : `mqtt:${from}`, name: from ?? 'mqtt', role } };
}
