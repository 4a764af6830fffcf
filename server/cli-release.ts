// `serialdeck release` and `serialdeck reclaim`: one POST to a running server's command API
// (the same path the page's button and scripts use), then the port's status, as one line to print.
import { apiPaths, type PortSummary } from './wire/api.js';
import type { PortCommand } from './wire/protocol.js';

/** What the CLI asks of a running server. */
export interface ReleaseRequest {
  kind: 'release' | 'reclaim';
  portId: string;
  /** For release: how long, in ms. */
  forMs?: number;
  /** The server's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  token: string | null;
}

/** Sends the command; resolves with the line to print and whether it worked. Never rejects: an unreachable server is a failed outcome. */
export async function sendRelease(request: ReleaseRequest, fetchImpl: typeof fetch = fetch): Promise<{ ok: boolean; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  const command: PortCommand =
    request.kind === 'release' ? { type: 'release', ...(request.forMs === undefined ? {} : { forMs: request.forMs }) } : { type: 'reclaim' };
  const at = (path: string) => new URL(path, request.url);
  try {
    const answer = await fetchImpl(at(apiPaths.command(request.portId)), { method: 'POST', headers, body: JSON.stringify(command) });
    const body = (await answer.json().catch(() => ({}))) as { ok?: boolean; error?: string };
    if (!answer.ok || body.ok !== true)
      return { ok: false, text: `${request.kind} ${request.portId}: ${body.error ?? `HTTP ${answer.status}`}` };
    const port = await fetchImpl(at(apiPaths.port(request.portId)), { headers });
    const summary = port.ok ? ((await port.json()) as PortSummary) : undefined;
    const device = summary?.device;
    const state = device ? `${device.state}${device.message ? ` (${device.message})` : ''}` : 'done';
    return { ok: true, text: `${request.portId}: ${state}` };
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return { ok: false, text: `${request.kind} ${request.portId}: cannot reach serialdeck at ${request.url} (${reason})` };
  }
}
