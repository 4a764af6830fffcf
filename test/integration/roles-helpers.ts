// Shared by the roles integration tests: named tokens for each role (stored hashed, as a config holds
// them), a server on a socat pty with those tokens, WebSocket clients and HTTP requests that present
// them, and waits on the control messages a client received.
import { hashToken } from '../../server/access/credentials.js';
import type { ConfigInput } from '../../server/config.js';
import type { ServerMessage } from '../../server/wire/protocol.js';
import type { Role } from '../../server/wire/roles.js';
import { createPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { request, type Answer } from '../helpers/ports-api.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { connect, type TestClient } from '../helpers/ws-client.js';
import { untilOpen } from './api-helpers.js';

/** A person with a named token: the token itself (what a client presents) and their role on every port. */
export interface Person {
  name: string;
  token: string;
  role: Role;
}

/** The cast: a viewer, two operators and an admin. */
export const PEOPLE = {
  vera: { name: 'vera', token: 'vera-viewer-token-0001', role: 'viewer' },
  otto: { name: 'otto', token: 'otto-operator-token-02', role: 'operator' },
  olga: { name: 'olga', token: 'olga-operator-token-03', role: 'operator' },
  ada: { name: 'ada', token: 'ada-admin-token-000004', role: 'admin' },
} as const satisfies Record<string, Person>;

/** The id of the one port the tests serve. */
export const PORT = 'b';

/** Things to undo after each test, newest first. */
export class Cleanups {
  private readonly list: Array<() => Promise<unknown>> = [];
  add(cleanup: () => Promise<unknown>): void {
    this.list.push(cleanup);
  }
  async run(): Promise<void> {
    while (this.list.length) await this.list.pop()!();
  }
}

/** A server with every PEOPLE token (hashed), one port `b` on a fresh pty, `extra` config over it; resolves once the device is open. */
export async function serveWithPeople(cleanups: Cleanups, port: Record<string, unknown> = {}): Promise<{ srv: TestServer; pair: PtyPair }> {
  const pair = await createPtyPair();
  cleanups.add(() => pair.close());
  const config: ConfigInput = {
    ports: [{ id: PORT, path: pair.devicePath, ...port }],
    tokens: Object.values(PEOPLE).map(({ name, token, role }) => ({ name, hash: hashToken(token), role })),
  };
  const srv = await startTestServer(config);
  cleanups.add(() => srv.close());
  await untilOpen(srv);
  return { srv, pair };
}

/** A WebSocket to port `b` as `person` (bearer token); resolves after its hello. */
export async function connectAs(cleanups: Cleanups, srv: TestServer, person: Person): Promise<TestClient> {
  const client = await connect(srv.url, { path: `ws/${PORT}`, headers: { Authorization: `Bearer ${person.token}` } });
  cleanups.add(() => client.close());
  await client.message('hello');
  return client;
}

/** POSTs to port `b`'s `route` (write, send, command) as `person`. */
export function postAs(srv: TestServer, person: Person, route: string, body: string): Promise<Answer> {
  return request(srv.url, `api/ports/${PORT}/${route}`, { method: 'POST', body, headers: { Authorization: `Bearer ${person.token}` } });
}

/** Messages of `type` the client received so far. */
export function all<T extends ServerMessage['type']>(client: TestClient, type: T): Array<Extract<ServerMessage, { type: T }>> {
  return client.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
}

/** Resolves with the first message of `type` after the first `skip` such messages that satisfies `ok`. */
export async function nextMessage<T extends ServerMessage['type']>(
  client: TestClient,
  type: T,
  ok: (message: Extract<ServerMessage, { type: T }>) => boolean,
  what: string,
): Promise<Extract<ServerMessage, { type: T }>> {
  const find = () => all(client, type).find(ok);
  await client.until(() => find() !== undefined, what);
  return find()!;
}

/** Resolves with the `result` answering command `id`. */
export function resultOf(client: TestClient, id: number): Promise<Extract<ServerMessage, { type: 'result' }>> {
  return nextMessage(client, 'result', (m) => m.id === id, `the result of command ${id}`);
}
