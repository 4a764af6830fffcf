import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PortInfo } from '../../server/serial/devices/list-ports.js';
import { cachedPortLister, serialNodesFingerprint } from '../../server/serial/devices/port-list-cache.js';

describe('cachedPortLister', () => {
  const make = () => {
    const state = { fingerprint: 'a', nowMs: 0, lists: 0, fail: false };
    const lister = cachedPortLister({
      list: async (): Promise<PortInfo[]> => {
        state.lists++;
        if (state.fail) throw new Error('udevadm failed');
        return [{ path: `/dev/ttyACM${state.lists}` }];
      },
      fingerprint: async () => state.fingerprint,
      nowMs: () => state.nowMs,
      refreshMs: 1000,
    });
    return { state, lister };
  };

  it('lists once while the fingerprint stays, again when it changes', async () => {
    const { state, lister } = make();
    expect(await lister()).toEqual([{ path: '/dev/ttyACM1' }]);
    state.nowMs = 999;
    expect(await lister()).toEqual([{ path: '/dev/ttyACM1' }]);
    expect(state.lists).toBe(1);
    state.fingerprint = 'b';
    expect(await lister()).toEqual([{ path: '/dev/ttyACM2' }]);
    expect(state.lists).toBe(2);
  });

  it('lists again after the refresh period even when nothing seen changed', async () => {
    const { state, lister } = make();
    await lister();
    state.nowMs = 1000;
    await lister();
    expect(state.lists).toBe(2);
  });

  it('keeps no failed list: the next call asks again', async () => {
    const { state, lister } = make();
    state.fail = true;
    await expect(lister()).rejects.toThrow('udevadm failed');
    state.fail = false;
    expect(await lister()).toEqual([{ path: '/dev/ttyACM2' }]);
  });
});

describe('serialNodesFingerprint', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
  });

  it('changes when a serial node or a by-id link appears, and ignores other files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'serialdeck-fp-'));
    dirs.push(root);
    const dev = join(root, 'dev');
    const byId = join(root, 'by-id');
    await mkdir(dev);
    const empty = await serialNodesFingerprint(dev, byId); // no by-id directory: no board, no error
    await writeFile(join(dev, 'null'), '');
    await writeFile(join(dev, 'ttyS0'), '');
    expect(await serialNodesFingerprint(dev, byId)).toBe(empty);

    await writeFile(join(dev, 'ttyACM0'), '');
    const node = await serialNodesFingerprint(dev, byId);
    expect(node).not.toBe(empty);
    expect(node).toContain('ttyACM0');

    await mkdir(byId);
    await symlink(join(dev, 'ttyACM0'), join(byId, 'usb-Arduino_Uno_123-if00'));
    const linked = await serialNodesFingerprint(dev, byId);
    expect(linked).not.toBe(node);
    expect(await serialNodesFingerprint(dev, byId)).toBe(linked); // and stays while nothing changes
  });
});
