// The console's inline writes: each write's line lands between the device's bytes at its stream
// offset, the bytes themselves untouched; resent notes are drawn once; off draws nothing.
import { describe, expect, it } from 'vitest';
import { InlineWrites, type WriteScreen } from '../../client/console/inline-writes.js';
import type { WriteNote } from '../../server/wire/api.js';

function screen(): WriteScreen & { out: string[]; bytes: number[]; acks: number } {
  const s = {
    out: [] as string[],
    bytes: [] as number[],
    acks: 0,
    writeBytes(bytes: Uint8Array, done: () => void) {
      s.bytes.push(...bytes);
      s.out.push(new TextDecoder().decode(bytes));
      if (done.name !== 'noop') s.acks++;
    },
    writeWrote(name: string, text: string) {
      s.out.push(`[${name}> ${text}]`);
    },
  };
  return s;
}

const note = (offset: number, writeOffset: number, name = 'alice', text = 'G28'): WriteNote => ({ offset, writeOffset, name, source: 'ws:1@x', text, timeMs: 0 });
const enc = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('InlineWrites', () => {
  it('puts each write between the bytes before and after its offset, bytes exact', () => {
    const s = screen();
    const inline = new InlineWrites(s, true);
    inline.start('uno', 100);
    inline.add(note(105, 0));
    inline.add(note(103, 3, 'bob', 'M105'));
    inline.bytes(100, enc('ok\r\nok\r\n'), () => {});
    expect(s.out).toEqual(['ok\r', '[bob> M105]', '\no', '[alice> G28]', 'k\r\n']);
    expect(Buffer.from(s.bytes).toString()).toBe('ok\r\nok\r\n');
    expect(s.acks).toBe(1);
  });

  it('draws a write at once when its place was reached, and a resent one never twice', () => {
    const s = screen();
    const inline = new InlineWrites(s, true);
    inline.start('uno', 0);
    inline.bytes(0, enc('> '), () => {});
    inline.add(note(2, 0));
    inline.add(note(2, 0));
    inline.start('uno', 2); // a reconnect resends it
    inline.add(note(2, 0));
    expect(s.out).toEqual(['> ', '[alice> G28]']);
  });

  it('waits for bytes that have not come yet, across chunks', () => {
    const s = screen();
    const inline = new InlineWrites(s, true);
    inline.start('uno', 0);
    inline.add(note(10, 0));
    inline.bytes(0, enc('01234'), () => {});
    inline.bytes(5, enc('56789ab'), () => {});
    expect(s.out).toEqual(['01234', '56789', '[alice> G28]', 'ab']);
  });

  it('draws nothing while off, and forgets another port’s writes', () => {
    const s = screen();
    const inline = new InlineWrites(s, false);
    inline.start('uno', 0);
    inline.add(note(1, 0));
    inline.bytes(0, enc('ab'), () => {});
    expect(s.out).toEqual(['a', 'b']);
    inline.setEnabled(true);
    inline.add(note(5, 1));
    inline.start('esp', 0);
    inline.bytes(0, enc('0123456'), () => {});
    expect(s.out.slice(2)).toEqual(['0123456']);
  });
});
