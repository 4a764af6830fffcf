// Small helpers for the many-ports integration tests: the HTTP API read as typed JSON, a bounded
// poll (for the few things no event announces), and waits on a WebSocket client's device state.
import type { PortSummary } from '../../server/wire/api.js';
import type { DeviceState, ServerMessage } from '../../server/wire/protocol.js';
import type { TestClient } from './ws-client.js';

/** Default deadline of a poll, in ms: generous for a loaded 2-core CI machine. */
export const POLL_DEADLINE_MS = 10_000;
/** Pause between two reads of a poll, in ms: short, so a poll answers soon after the change. */
const POLL_INTERVAL_MS = 25;

/** An HTTP answer: status, headers and the body as bytes, with helpers to read it. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/** GETs (or sends `init`) `path` relative to the server's base URL; never throws on an error status. */
export async function request(baseUrl: string, path: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(new URL(path, baseUrl), init);
  const body = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    body,
    text: () => body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}

/** GET /api/ports. */
export async function listPorts(baseUrl: string): Promise<PortSummary[]> {
  const answer = await request(baseUrl, 'api/ports');
  if (answer.status !== 200) throw new Error(`GET /api/ports answered ${answer.status}: ${answer.text()}`);
  return answer.json<PortSummary[]>();
}

/** GET /api/ports/<id> (throws on anything but 200). */
export async function getPort(baseUrl: string, id: string): Promise<PortSummary> {
  const answer = await request(baseUrl, `api/ports/${encodeURIComponent(id)}`);
  if (answer.status !== 200) throw new Error(`GET /api/ports/${id} answered ${answer.status}: ${answer.text()}`);
  return answer.json<PortSummary>();
}

/**
 * Reads `read()` until `ok` holds for its value, then returns that value; rejects after `timeoutMs`
 * with the last value seen. Only for state no event announces (the API's view of a port).
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = POLL_DEADLINE_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** The device state a client last heard (from hello or status), if any. */
export function deviceState(client: TestClient): DeviceState | undefined {
  for (let i = client.messages.length - 1; i >= 0; i--) {
    const message = client.messages[i]!;
    if (message.type === 'status' || message.type === 'hello') return message.device.state;
  }
  return undefined;
}

/** Resolves once the client's latest device state is `state`. */
export function untilState(client: TestClient, state: DeviceState, timeoutMs?: number): Promise<void> {
  return client.until(() => deviceState(client) === state, `device state ${state}`, timeoutMs);
}

/** Control messages of one type the client received, in order. */
export function messagesOf<T extends ServerMessage['type']>(client: TestClient, type: T): Extract<ServerMessage, { type: T }>[] {
  return client.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
}

/** Numbered fixed-width lines, `line 000042 xxxx…\r\n`, each exactly `width` bytes: content a test can check for order and loss. */
export function numberedLines(first: number, count: number, width = 64, tag = 'line'): Buffer {
  const out = Buffer.alloc(count * width);
  for (let i = 0; i < count; i++) {
    const head = `${tag} ${String(first + i).padStart(9, '0')} `;
    const line = head + 'x'.repeat(width - head.length - 2) + '\r\n';
    out.write(line, i * width, 'latin1');
  }
  return out;
}
