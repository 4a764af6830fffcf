// A fleet in Chromium (issue 13): three serialdeck nodes, each bridging two socat ptys to one real
// Mosquitto, and one fleet console on that broker. The console's port picker lists all six remote
// ports grouped by node, online; opening one shows what its board writes, and a line typed in the
// page reaches that board's pty and no other.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PortSummary } from '../../server/wire/api.js';
import { poll, sendLine, waitForScreen, waitForState } from '../helpers/browser.js';
import { useBrowser } from '../helpers/browser-suite.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import type { PtyPair } from '../helpers/pty-pair.js';
import type { TestServer } from '../helpers/test-server.js';

/** The nodes and the ports each bridges (port id = name). */
const NODES = ['lab-a', 'lab-b', 'lab-c'] as const;
const PORTS = ['uno', 'esp32'] as const;
/** Longest wait for the console to list every node's ports, in ms: three nodes connect and publish their retained statuses. */
const DISCOVER_MS = 20_000;
/** The test's bound, in ms: a broker, seven servers, six ptys and a page start on a loaded 2-core machine. */
const FLEET_TEST_MS = 90_000;

const suite = useBrowser();
let fleet: TestServer | undefined;
/** The pty pair behind each remote port, by the console's id `<node>.<port>`. */
const boards = new Map<string, PtyPair>();

/** Mosquitto, three nodes of two ptys each bridged to it, and a fleet console on it (all closed after the test). */
async function startFleet(): Promise<TestServer> {
  const broker = await startMosquitto();
  suite.defer(() => broker.close());
  for (const node of NODES) {
    const pairs: PtyPair[] = [];
    for (const port of PORTS) {
      const pair = await suite.pty();
      pairs.push(pair);
      boards.set(`${node}.${port}`, pair);
    }
    await suite.serve({
      ports: PORTS.map((port, i) => ({ id: port, name: port, path: pairs[i]!.devicePath })),
      mqtt: { url: broker.url, node },
    });
  }
  return suite.serve({ fleet: { url: broker.url } });
}

/** The picker's groups: each optgroup's label and its options as [value, text]. */
function pickerGroups(page: Page): Promise<Array<{ label: string; options: Array<[string, string]> }>> {
  return page.locator('#port optgroup').evaluateAll((groups) =>
    groups.map((g) => ({
      label: (g as HTMLOptGroupElement).label,
      options: Array.from((g as HTMLOptGroupElement).querySelectorAll('option'), (o) => [o.value, o.textContent ?? ''] as [string, string]),
    })),
  );
}

async function remotePorts(): Promise<PortSummary[]> {
  const response = await fetch(new URL('api/ports', fleet!.url));
  return ((await response.json()) as PortSummary[]).filter((p) => p.node !== undefined);
}

describe('a fleet console in Chromium', () => {
  it('lists six remote ports grouped by node, online; one shows its board and takes typing to that board only', async () => {
    fleet = await startFleet();
    // The server's view first: every node's ports, online and open (a failure here is not the page's).
    await poll(
      async () => (await remotePorts()).map((p) => `${p.id} ${p.node} ${p.online} ${p.device.state}`).sort(),
      DISCOVER_MS,
    ).toEqual(NODES.flatMap((node) => PORTS.map((port) => `${node}.${port} ${node} true open`)).sort());

    const opened = await suite.open(fleet.url);
    const { page } = opened;

    // One group per node, labelled with its name and online, holding that node's two ports by name.
    await poll(async () => (await pickerGroups(page)).map((g) => g.options.map(([id]) => id).sort())).toEqual(
      NODES.map((node) => PORTS.map((port) => `${node}.${port}`).sort()),
    );
    const groups = await pickerGroups(page);
    for (const [i, node] of NODES.entries()) {
      const group = groups[i]!;
      expect(group.label).toContain(node);
      expect(group.label).toMatch(/online/i);
      expect(group.label).not.toMatch(/offline/i);
      // Open devices: the option is the port's name alone (a state word would follow a port that is not).
      for (const [, text] of group.options) expect(PORTS as readonly string[]).toContain(text);
    }

    // Open lab-b's esp32: what its board writes reaches this console through the broker.
    const chosen = 'lab-b.esp32';
    await page.selectOption('#port', chosen);
    await poll(() => page.evaluate(() => window.serialdeck?.port() ?? '')).toBe(chosen);
    await waitForState(page, 'open');
    await boards.get(chosen)!.board.write('esp32 on lab-b says hello\r\n> ');
    await waitForScreen(page, /^esp32 on lab-b says hello\n> $/m);

    // Typing goes back through the broker to that pty.
    await sendLine(page, 'status');
    expect(await boards.get(chosen)!.board.readUntil('status\n')).toBe('status\n');

    // And to that one only: a second line to another node's port arrives there, by which time a
    // misrouted first line would have reached its board too; no other board got a byte.
    const other = 'lab-c.uno';
    await page.selectOption('#port', other);
    await poll(() => page.evaluate(() => window.serialdeck?.port() ?? '')).toBe(other);
    await waitForState(page, 'open');
    await sendLine(page, 'version');
    expect(await boards.get(other)!.board.readUntil('version\n')).toBe('version\n');
    for (const [id, pair] of boards) expect(pair.board.discard(), `bytes that reached ${id} besides the lines above`).toBe(0);
    expect(opened.errors.map(String)).toEqual([]);
  }, FLEET_TEST_MS);
});
