// The page's URL names the port it shows: `#/<id>`, so reload, bookmarks and back/forward keep the port.
import type { PortSummary } from '../../server/wire/api.js';

/** Hash prefix of a port route: `#/uno`. */
const ROUTE_PREFIX = '#/';

/** The port id in `hash` (`location.hash`), or null when the hash names none (empty, `#`, `#/`, not a route, or badly escaped). */
export function portFromHash(hash: string): string | null {
  if (!hash.startsWith(ROUTE_PREFIX) || hash.length === ROUTE_PREFIX.length) return null;
  try {
    return decodeURIComponent(hash.slice(ROUTE_PREFIX.length));
  } catch {
    return null;
  }
}

/** The hash that names port `id` (escaped, so any id survives the URL). */
export function hashForPort(id: string): string {
  return `${ROUTE_PREFIX}${encodeURIComponent(id)}`;
}

/** The port to show, and a notice for the person when it is not the one the URL asked for. */
export interface PortChoice {
  id: string;
  notice: string | null;
}

/**
 * Picks the port to show from `ports` (the first is the server's default): `wanted` when served, else
 * the first port, with a notice when `wanted` named one that is not served. Null when there are no ports.
 */
export function choosePort(wanted: string | null, ports: readonly PortSummary[]): PortChoice | null {
  const first = ports[0];
  if (first === undefined) return null;
  if (wanted === null) return { id: first.id, notice: null };
  if (ports.some((p) => p.id === wanted)) return { id: wanted, notice: null };
  return { id: first.id, notice: `This server has no port "${wanted}"; showing ${first.name} instead.` };
}

/** Where a URL leads: the port to show (null: the server's first, learnt from its hello), a notice, and the hash to put in its place (null: keep it). */
export interface Route {
  id: string | null;
  notice: string | null;
  replaceHash: string | null;
}

/**
 * Resolves `hash` against the served ports. Without a list (an older server, or not authorized yet) the
 * hash is trusted as it is; with one, an unknown or missing id leads to the first port, rewriting the hash.
 */
export function resolveRoute(hash: string, ports: readonly PortSummary[]): Route {
  const wanted = portFromHash(hash);
  const choice = choosePort(wanted, ports);
  if (choice === null) return { id: wanted, notice: null, replaceHash: null };
  return { id: choice.id, notice: choice.notice, replaceHash: choice.id === wanted ? null : hashForPort(choice.id) };
}
