// The reply to an HTTP command (server/lines/command-reply.ts): lines ending after the write's
// offset, until a prompt, a quiet period on the device's bytes, a timeout or the size limit; a
// partial replaced by its complete line; a line still open at quiet shown as partial. And the
// record detector reading a JSON reading wrapped in the ANSI a sketch redraws its prompt with.
import { describe, expect, it } from 'vitest';
import { CommandReply, type ReplyChannel, type ReplyLines, type ReplyUntil } from '../../server/lines/command-reply.js';
import type { FramedLine } from '../../server/lines/line-framer.js';
import type { LinesListener } from '../../server/lines/port-lines.js';
import { RecordDetector } from '../../server/lines/records/record-detector.js';
import { FakeClock } from './lines-fakes.js';

class FakeSource implements ReplyLines, ReplyChannel {
  listener: LinesListener | null = null;
  appendedTo: ((bytes: Uint8Array, offset: number, timeMs: number) => void) | undefined;
  openLine: FramedLine | null = null;
  subscribe(listener: LinesListener & { appended?(bytes: Uint8Array, offset: number, timeMs: number): void; data?(): void }): () => void {
    if (listener.appended) this.appendedTo = listener.appended;
    else this.listener = listener;
    return () => undefined;
  }
  async caughtUp(): Promise<void> {}
  /** The device sent `text` at `offset` and the reader framed it as `lines`. */
  bytes(offset: number, length: number): void {
    this.appendedTo?.(new Uint8Array(length), offset, 0);
  }
  line(offset: number, text: string, partial = false, ending = 2): void {
    this.listener?.line?.({ offset, endOffset: offset + text.length + (partial ? 0 : ending), timeMs: 0, text, partial });
  }
}

const UNTIL: ReplyUntil = { quietMs: 300, prompt: null, timeoutMs: 5000, maxChars: 1000 };

function setup(until: Partial<ReplyUntil> = {}) {
  const clock = new FakeClock();
  const source = new FakeSource();
  const reply = new CommandReply(source, source, 100, { ...UNTIL, ...until }, clock);
  return { clock, source, reply };
}

describe('command reply', () => {
  it('ends at a partial line (the prompt), keeping the echo that straddles the write offset and dropping what came before', async () => {
    const { source, reply } = setup();
    source.line(90, 'old line'); // ended at 100: before the write
    source.line(98, '> ', true); // the prompt shown before the write
    const done = reply.begin();
    source.line(98, '> status'); // the echo completes the prompt's line
    source.line(108, 'uptime 2.3 s');
    source.line(122, '> ', true);
    const { lines, endedBy } = await done;
    expect(endedBy).toBe('prompt');
    expect(lines.map((l) => [l.text, l.partial])).toEqual([
      ['> status', false],
      ['uptime 2.3 s', false],
      ['> ', true],
    ]);
  });

  it('ends at a line that is the given prompt, and not at partials then', async () => {
    const { source, reply } = setup({ prompt: 'ok' });
    const done = reply.begin();
    source.line(100, 'busy', true);
    source.line(100, 'busy...');
    source.line(109, 'ok ');
    expect(await done).toMatchObject({ endedBy: 'prompt', lines: [{ text: 'busy...' }, { text: 'ok ' }] });
  });

  it('ends after a quiet period on the device bytes, showing a line still open as partial', async () => {
    const { clock, source, reply } = setup({ quietMs: 100 }); // shorter than the framer's: no partial is shown first
    const done = reply.begin();
    clock.advance(50);
    source.bytes(100, 7);
    source.line(100, 'a');
    clock.advance(99); // bytes 99 ms ago restarted the quiet clock
    source.openLine = { offset: 103, endOffset: 107, timeMs: 0, text: 'more', partial: true };
    clock.advance(1);
    expect(await done).toMatchObject({ endedBy: 'quiet', lines: [{ text: 'a' }, { text: 'more', partial: true }] });
  });

  it('counts a line still open at the quiet period as the prompt when framing lagged behind the bytes', async () => {
    const { clock, source, reply } = setup(); // 300 ms: the framer would have shown the prompt at 200 ms
    const done = reply.begin();
    source.bytes(100, 20);
    source.line(100, 'uptime 2.3 s');
    source.openLine = { offset: 114, endOffset: 116, timeMs: 0, text: '> ', partial: true }; // framed only when caught up
    clock.advance(300);
    expect(await done).toMatchObject({ endedBy: 'prompt', lines: [{ text: 'uptime 2.3 s' }, { text: '> ', partial: true }] });
  });

  it('still ends by quiet when the line left open is not the given prompt', async () => {
    const { clock, source, reply } = setup({ prompt: 'ok' });
    const done = reply.begin();
    source.bytes(100, 4);
    source.openLine = { offset: 100, endOffset: 104, timeMs: 0, text: 'busy', partial: true };
    clock.advance(300);
    expect(await done).toMatchObject({ endedBy: 'quiet', lines: [{ text: 'busy', partial: true }] });
  });

  it('ends at the timeout while the device keeps talking, and at the size limit', async () => {
    const { clock, source, reply } = setup({ timeoutMs: 1000 });
    const done = reply.begin();
    for (let t = 0; t < 1000; t += 100) {
      source.bytes(100 + t, 10);
      clock.advance(100);
    }
    expect((await done).endedBy).toBe('timeout');

    const big = setup({ maxChars: 10 });
    const bigDone = big.reply.begin();
    big.source.line(100, '0123456');
    big.source.line(109, '789abc');
    expect(await bigDone).toMatchObject({ endedBy: 'limit', lines: [{ text: '0123456' }, { text: '789abc' }] });
  });
});

describe('record detector and ANSI', () => {
  it('reads a JSON reading that a sketch wrapped in erase-line and colour sequences', () => {
    const detector = new RecordDetector();
    const record = detector.read({ offset: 0, endOffset: 60, timeMs: 5, text: '\x1b[2K{"temp":21.4,"ppm":412}\x1b[0m', partial: false });
    expect(record).toMatchObject({ format: 'json', fields: { temp: 21.4, ppm: 412 } });
    expect(detector.read({ offset: 60, endOffset: 70, timeMs: 6, text: '\x1b[1;32mREADY\x1b[0m', partial: false })).toBeNull();
  });
});
