// The served ports, as GET api/ports lists them, fetched beside the page (so a reverse proxy's sub-path works).
import { apiPaths, type PortSummary } from '../../server/wire/api.js';

/** The part of `fetch` this needs; the page passes its own. */
export type FetchLike = (url: string, init?: { credentials?: 'same-origin'; headers?: Record<string, string> }) => Promise<{
  ok: boolean;
  json(): Promise<unknown>;
}>;

/** The URL of the port list for a page at `pageHref` (its query and hash dropped). */
export function portListUrl(pageHref: string): string {
  return new URL(`.${apiPaths.ports}`, pageHref).href;
}

/** True when `value` looks like a PortSummary list: the fields the picker and the page read. */
export function isPortList(value: unknown): value is PortSummary[] {
  return (
    Array.isArray(value) &&
    value.every(
      (p: unknown) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as PortSummary).id === 'string' &&
        typeof (p as PortSummary).name === 'string' &&
        typeof (p as PortSummary).device === 'object' &&
        (p as PortSummary).device !== null &&
        typeof (p as PortSummary).capture === 'object' &&
        (p as PortSummary).capture !== null,
    )
  );
}

/**
 * Fetches the served ports (the first is the server's default). Null when the server cannot be asked or
 * answers something else (not authorized, an older server): the page then connects to the first port's
 * `ws` and learns the rest from the socket. Never throws.
 */
export async function fetchPortList(pageHref: string, fetchFn: FetchLike): Promise<PortSummary[] | null> {
  try {
    const response = await fetchFn(portListUrl(pageHref), { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (!response.ok) return null;
    const body = await response.json();
    return isPortList(body) ? body : null;
  } catch {
    return null;
  }
}
