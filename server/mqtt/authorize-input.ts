// Who may type to a port over MQTT, by the same access policy as every other way in: a request
// that carries a token gets that token's role on the port (a fleet console presents its own);
// without one, on a node that needs no credentials, the sender gets the node's `mqtt.inputRole`.
// The broker's own ACL decides who may publish to the input topics at all.
import type { AccessPolicy } from '../access/access-policy.js';
import type { Requester } from '../ports/command-path.js';
import { weakerRole, type Role } from '../wire/roles.js';
import type { InputEnvelope } from './input-request.js';

/** What decides an input request's role. */
export interface InputPolicy {
  /** The node's access policy: tokens and whether any is required. */
  access: Pick<AccessPolicy, 'tokenPrincipal' | 'requiresCredentials'>;
  /** The role a sender without a token gets (config mqtt.inputRole), on a node that needs no credentials. */
  inputRole: Role;
  /** The node is read-only: every role is capped at viewer. */
  readOnly: boolean;
}

/** The requester for the command path (`mqtt:<name>`) on port `portId`, or a `forbidden` refusal when a needed token is missing or wrong. */
export function authorizeInput(
  envelope: InputEnvelope,
  policy: InputPolicy,
  portId: string,
): { ok: true; requester: Requester } | { ok: false; code: 'forbidden'; message: string } {
  const from = envelope.from;
  if (envelope.token !== undefined) {
    const principal = policy.access.tokenPrincipal(envelope.token);
    if (!principal) return { ok: false, code: 'forbidden', message: 'wrong token' };
    // The token says who is accountable; `from` is what they say on whose behalf (a fleet console's user).
    const name = from === undefined ? principal.name : `${principal.name}:${from}`;
    return { ok: true, requester: { source: `mqtt:${name}`, name, role: principal.roleOn(portId) } };
  }
  if (policy.access.requiresCredentials) return { ok: false, code: 'forbidden', message: 'this node requires a token in the request' };
  const role = policy.readOnly ? weakerRole(policy.inputRole, 'viewer') : policy.inputRole;
  return { ok: true, requester: { source: from === undefined ? 'mqtt' : `mqtt:${from}`, name: from ?? 'mqtt', role } };
}
