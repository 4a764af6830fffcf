import { describe, expect, it } from 'vitest';
import { createLogger, stderrSink, withoutToken, type LogLevel } from '../../server/log.js';

const collect = () => {
  const lines: Array<[LogLevel, string]> = [];
  return { lines, sink: (level: LogLevel, line: string) => void lines.push([level, line]) };
};

describe('log', () => {
  it('says errors and warnings when quiet, events too when normal, and everything when verbose', () => {
    for (const [verbosity, expected] of [
      ['quiet', ['error', 'warn']],
      ['normal', ['error', 'warn', 'info']],
      ['verbose', ['error', 'warn', 'info', 'debug']],
    ] as const) {
      const { lines, sink } = collect();
      const log = createLogger(verbosity, sink);
      log.error('e');
      log.warn('w');
      log.info('i');
      log.debug('d');
      expect(lines.map(([level]) => level)).toEqual(expected);
    }
  });

  it('writes plain lines for a person, and syslog priorities under journald', () => {
    const out: string[] = [];
    stderrSink({}, (text) => out.push(text))('warn', 'uno: waiting');
    stderrSink({ JOURNAL_STREAM: '8:12345' }, (text) => out.push(text))('error', 'boom');
    stderrSink({ JOURNAL_STREAM: '8:12345' }, (text) => out.push(text))('info', 'open');
    expect(out).toEqual(['serialdeck: uno: waiting\n', '<3>boom\n', '<6>open\n']);
  });

  it('never lets a token through in a logged URL', () => {
    expect(withoutToken('/ws/uno?token=s3cret&mode=live')).toBe('/ws/uno?token=…&mode=live');
    expect(withoutToken('/?TOKEN=abc')).toBe('/?TOKEN=…');
    expect(withoutToken('/ws')).toBe('/ws');
  });
});
