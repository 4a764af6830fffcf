// PUT /api/ports/ID/filters from the page: saves the port's filters, or gives the server's reason
// when it refuses a list. (The page reads them from the port's SSE stream, as `filters` events.)
import { apiPaths, type LineFilter, type PortFilters } from '../../server/wire/api.js';

/** The fetch the page uses (injectable in tests). */
export type FetchLike = (url: string, init?: RequestInit) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** The API of one port's filters, with URLs resolved beside the page (a reverse proxy's sub-path works). */
export interface FiltersApi {
  /** Saves the list; rejects with the server's reason (`error`) when refused. */
  save(filters: readonly LineFilter[]): Promise<PortFilters>;
}

/** The filters API for `portId`. */
export function filtersApi(portId: string, pageHref: string, fetch: FetchLike): FiltersApi {
  const url = new URL(`.${apiPaths.filters(portId)}`, pageHref).href;
  async function answer(response: Awaited<ReturnType<FetchLike>>): Promise<PortFilters> {
    const body = (await response.json().catch(() => null)) as (PortFilters & { error?: string }) | null;
    if (!response.ok) throw new Error(body?.error ?? `HTTP ${response.status}`);
    if (body === null) throw new Error('the server answered no JSON');
    return body;
  }
  return {
    async save(filters) {
      return answer(
        await fetch(url, {
          method: 'PUT',
          credentials: 'same-origin',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({ filters }),
        }),
      );
    },
  };
}
