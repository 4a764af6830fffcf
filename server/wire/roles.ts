// Roles and what each may do, written once: the server's policy and the page (which greys out what
// its role cannot do) both import this module, so it must not import anything from `node:`.
// docs/security.md documents the model.

/** Roles, weakest first: a viewer watches; an operator also types; an admin also changes the port and reads the audit. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
/** One of ROLES. */
export type Role = (typeof ROLES)[number];

/**
 * What can be asked of a port, by the weakest role that may do it:
 * - `watch` (viewer): the console, SSE, series, downloads, the who-list;
 * - `write` (operator): bytes to the device (typing, pastes, files, HTTP write/send, MQTT input);
 * - `control` (admin): baud, framing, signals, break, reset, pacing, reopen, release, reclaim;
 * - `configure` (admin): port settings such as the console filters;
 * - `audit` (admin): reading the audit log; taking the keyboard by force.
 */
export type Action = 'watch' | 'write' | 'control' | 'configure' | 'audit';

const WEAKEST_ROLE: Readonly<Record<Action, Role>> = {
  watch: 'viewer',
  write: 'operator',
  control: 'admin',
  configure: 'admin',
  audit: 'admin',
};

/** True when `role` may do `action`; a null role (no access to the port) may do nothing. */
export function roleAllows(role: Role | null, action: Action): boolean {
  return role !== null && ROLES.indexOf(role) >= ROLES.indexOf(WEAKEST_ROLE[action]);
}

/** The weaker of two roles (null is weakest): a role capped by `--read-only`, or by a port's own ceiling. */
export function weakerRole(a: Role | null, b: Role | null): Role | null {
  if (a === null || b === null) return null;
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}

/** The weakest role that may do `action` (for refusals that say what is needed). */
export function roleFor(action: Action): Role {
  return WEAKEST_ROLE[action];
}

/** The action a port command (a WebSocket control message's or the HTTP command route's `type`, or `write`) needs. */
export function actionOf(commandType: string): Action {
  return commandType === 'write' ? 'write' : 'control';
}

/** Checks a role name from config or a query; the error names the choices. */
export function checkRole(value: unknown): { ok: true; role: Role } | { ok: false; error: string } {
  const role = ROLES.find((r) => r === value);
  return role ? { ok: true, role } : { ok: false, error: `must be one of ${ROLES.join(', ')}; got ${JSON.stringify(value)}` };
}
