// Controls a role cannot use say why in their tooltip: an operator types but cannot change the baud,
// framing, modem lines, pacing, nor reset, reopen or release the port (admin only, wire/roles.ts).
// The toolbar and the settings panel disable them; this names the reason and puts tooltips back after.
import { roleAllows, roleFor, type Role } from '../../server/wire/roles.js';

/** The controls that change the port (the `control` action), by id. */
export const CONTROL_IDS = [
  'baud',
  'reset',
  'reopen',
  'char-delay',
  'line-delay',
  'dtr',
  'rts',
  'baud-custom',
  'data-bits',
  'parity',
  'stop-bits',
  'flow',
  'send-break',
  'release-for',
  'release',
  'reclaim',
  'device-card-reclaim',
] as const;

/** The tooltip of a control that `role` may not use. */
export function roleRefusal(role: Role): string {
  return `Needs the ${roleFor('control')} role; you are ${role} on this port`;
}

/** Role-aware tooltips for CONTROL_IDS in `doc`. */
export interface RoleControls {
  /** Call after the toolbar and settings have drawn themselves: sets or clears the refusal tooltip. */
  apply(role: Role): void;
}

/** Captures each control's own tooltip now, to put back when the role allows it again (another port). */
export function bindRoleControls(doc: Document): RoleControls {
  const controls = CONTROL_IDS.map((id) => doc.getElementById(id)).filter((el): el is HTMLElement => el !== null);
  const own = new Map(controls.map((el) => [el, el.title]));
  return {
    apply(role) {
      const allowed = roleAllows(role, 'control');
      const refusal = roleRefusal(role);
      for (const control of controls) {
        if (!allowed) control.title = refusal;
        else if (control.title === refusal || control.title.startsWith('Needs the ')) control.title = own.get(control) ?? '';
      }
    },
  };
}
