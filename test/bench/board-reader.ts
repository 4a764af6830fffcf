// Reads what reaches the board side of the pty (what clients typed) into a LineChecker.
import { once } from 'node:events';
import { constants, openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import type { LineChecker } from './line-checker.js';

/** A board-side reader; close() stops it (safe twice). */
export interface BoardReader {
  close(): Promise<void>;
}

/** Opens `boardPath` and feeds every chunk that arrives to `checker`, stamped with its arrival time. */
export function openBoardReader(boardPath: string, checker: LineChecker): BoardReader {
  // The tty stream owns the fd (and closes it); libuv reopens it non-blocking for its own reads.
  const stream = new ReadStream(openSync(boardPath, constants.O_RDWR | constants.O_NOCTTY));
  stream.on('data', (chunk: Buffer) => checker.push(chunk, Number(process.hrtime.bigint())));
  stream.on('error', () => undefined); // EIO once socat is gone at teardown
  return {
    close: async () => {
      if (stream.closed) return;
      const closed = once(stream, 'close');
      stream.destroy();
      await closed;
    },
  };
}
