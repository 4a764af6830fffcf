// The command path's write: posted to the worker first (a keystroke does not wait for the audit or the
// capture), then recorded in the same turn with the exact bytes, although the posted ones are transferred.
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../server/ports/channel.js';
import { CommandPath, type CommandTarget, type Requester } from '../../server/ports/command-path.js';
import type { ToWorker } from '../../server/serial/messages.js';

const alice: Requester = { source: 'ws:1@10.0.0.2', name: 'alice', role: 'operator' };

/** A channel that logs what is recorded, and a device whose post transfers the write's buffer, as a worker's does. */
function parts(steps: string[]): { channel: Channel; device: CommandTarget; posted: ToWorker[] } {
  const posted: ToWorker[] = [];
  const channel = {
    recordWrite: (bytes: Uint8Array, source: string) => steps.push(`capture ${[...bytes].join(',')} ${source}`),
    recordEvent: (event: { type: string }) => steps.push(`event ${event.type}`),
  } as unknown as Channel;
  const device: CommandTarget = {
    state: 'open',
    post(message) {
      if (message.type === 'write') {
        steps.push(`post ${[...message.data].join(',')}`);
        structuredClone(message.data, { transfer: [message.data.buffer] }); // detaches it, like postMessage
      } else steps.push(`post ${message.type}`);
      posted.push(message);
    },
  };
  return { channel, device, posted };
}

describe('CommandPath', () => {
  it('posts a write before recording it, and records the exact bytes once although the posted ones were transferred', async () => {
    const steps: string[] = [];
    const { channel, device, posted } = parts(steps);
    const path = new CommandPath(channel, device);
    path.watch({
      posting: (command) => {
        steps.push(`watcher ${command.type === 'write' ? [...command.data].join(',') : command.type}`);
        return (result) => steps.push(`outcome ${result.ok}`);
      },
    });
    const data = new Uint8Array([0x47, 0x32, 0x38, 0x0a]);
    const answered = path.execute({ type: 'write', data }, alice);
    expect(data.byteLength).toBe(0); // transferred
    expect(steps).toEqual(['post 71,50,56,10', 'capture 71,50,56,10 ws:1@10.0.0.2', 'watcher 71,50,56,10']);
    const id = (posted[0] as { id: number }).id;
    path.onResult({ id, ok: true, written: 4 });
    expect(await answered).toEqual({ ok: true, written: 4 });
    expect(steps.at(-1)).toBe('outcome true');
  });

  it('records a control command after posting it too, and a refusal without posting', async () => {
    const steps: string[] = [];
    const { channel, device } = parts(steps);
    const path = new CommandPath(channel, device);
    void path.execute({ type: 'set-baud', baudRate: 9600 }, { ...alice, role: 'admin' });
    expect(steps).toEqual(['post set-baud', 'event command']);
    const refused = await path.execute({ type: 'set-baud', baudRate: 9600 }, alice);
    expect(refused).toMatchObject({ ok: false, code: 'forbidden' });
    expect(steps.slice(2)).toEqual(['event refused']);
    path.dispose();
  });
});
