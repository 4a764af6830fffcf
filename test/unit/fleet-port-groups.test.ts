// The page's picker on a fleet console: this server's ports first, then each node's under a heading
// that says whether it is online; a port whose node is offline reads "offline", not its stale state.
import { describe, expect, it } from 'vitest';
import { portGroups, portOptions } from '../../client/controls/port-options.js';
import { portSummary } from './client-fakes.js';

describe('fleet port picker', () => {
  const ports = [
    portSummary('zeta.uno', { name: 'uno', node: 'zeta', online: true }),
    portSummary('demo', { name: 'Demo board' }),
    portSummary('alpha.esp', { name: 'esp', node: 'alpha', online: false, state: 'waiting' }),
    portSummary('alpha.uno', { name: 'uno', node: 'alpha', online: false, state: 'waiting' }),
    portSummary('zeta.mega', { name: 'mega', node: 'zeta', online: true, state: 'waiting' }),
  ];

  it('groups ports by node, this server first, nodes by name, each heading saying online or offline', () => {
    const groups = portGroups(portOptions(ports));
    expect(groups.map((g) => [g.label, g.options.map((o) => o.label)])).toEqual([
      ['This server', ['Demo board']],
      ['alpha · offline', ['esp · offline', 'uno · offline']],
      ['zeta · online', ['uno', 'mega · waiting']],
    ]);
  });

  it("names the node in a remote port's tooltip and greys out an offline one", () => {
    const options = portOptions(ports);
    expect(options.find((o) => o.id === 'zeta.uno')).toMatchObject({ node: 'zeta', online: true, tone: 'ok', detail: 'uno (/dev/zeta.uno on zeta): open' });
    expect(options.find((o) => o.id === 'alpha.esp')).toMatchObject({ node: 'alpha', online: false, tone: 'idle' });
    expect(options.find((o) => o.id === 'demo')).toMatchObject({ node: null, online: true });
  });

  it('has only the local group (no headings are shown) on a server without a fleet', () => {
    expect(portGroups(portOptions([portSummary('a'), portSummary('b')])).map((g) => g.node)).toEqual([null]);
  });
});
