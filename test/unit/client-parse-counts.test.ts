import { describe, expect, it } from 'vitest';
import type { LatestResponse, LinesStats } from '../../server/wire/api.js';
import { formatCount, formatParseCounts, parseCountsTitle, pollParseCounts } from '../../client/views/parse-counts.js';
import { manualTimers } from './client-fakes.js';

const stats = (over: Partial<LinesStats> = {}): LinesStats => ({
  lines: 0,
  records: 0,
  text: 0,
  byFormat: { json: 0, plotter: 0, csv: 0, teleplot: 0 },
  partials: 0,
  gapBytes: 0,
  offset: 0,
  ...over,
});

describe('parse counts', () => {
  it('says how many lines parsed as records, by format, and how many stayed text', () => {
    expect(formatParseCounts(stats({ lines: 412, records: 400, text: 12, byFormat: { json: 400, plotter: 0, csv: 0, teleplot: 0 } }))).toBe(
      '412 lines · 400 records (json 400) · 12 text',
    );
  });

  it('lists every format that had records, in the server’s order, and none that had not', () => {
    const byFormat = { json: 30, plotter: 20, csv: 19, teleplot: 0 };
    expect(formatParseCounts(stats({ lines: 75, records: 69, text: 6, byFormat }))).toBe(
      '75 lines · 69 records (json 30, plotter 20, csv 19) · 6 text',
    );
    expect(formatParseCounts(stats({ lines: 3, records: 1, text: 2, byFormat: { json: 0, plotter: 0, csv: 0, teleplot: 1 } }))).toBe(
      '3 lines · 1 record (teleplot 1) · 2 text',
    );
  });

  it('says nothing parsed without an empty bracket, and counts one in the singular', () => {
    expect(formatParseCounts(stats())).toBe('0 lines · 0 records · 0 text');
    expect(formatParseCounts(stats({ lines: 1, text: 1 }))).toBe('1 line · 0 records · 1 text');
  });

  it('groups thousands the same on every locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1_234_567)).toBe('1,234,567');
    const big = stats({ lines: 1_234_567, records: 1_234_000, text: 567, byFormat: { json: 1_234_000, plotter: 0, csv: 0, teleplot: 0 } });
    expect(formatParseCounts(big)).toBe('1,234,567 lines · 1,234,000 records (json 1,234,000) · 567 text');
  });

  it('mentions partial lines and unreadable bytes in the tooltip only when there were some', () => {
    expect(parseCountsTitle(stats())).not.toMatch(/partial|could not/);
    const title = parseCountsTitle(stats({ partials: 3, gapBytes: 1 }));
    expect(title).toContain('3 partial lines (a prompt) shown before it ended');
    expect(title).toContain('1 byte could not be read');
  });
});

describe('polling the counts', () => {
  /** A host whose fetchLatest answers from `answers` (an Error rejects), recording how many reads were made. */
  function host(answers: Array<LinesStats | Error>) {
    const timers = manualTimers();
    let reads = 0;
    return {
      timers,
      reads: () => reads,
      fetchLatest: async (): Promise<LatestResponse> => {
        const next = answers[Math.min(reads++, answers.length - 1)]!;
        if (next instanceof Error) throw next;
        return { fields: [], stats: next };
      },
    };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('reads at once, then again every interval after each answer, and stops on dispose', async () => {
    const h = host([stats({ lines: 1, text: 1 }), stats({ lines: 2, text: 2 }), stats({ lines: 3, text: 3 })]);
    const shown: Array<number | null> = [];
    const poll = pollParseCounts(h, (s) => shown.push(s?.lines ?? null), 2_000);
    await settle();
    expect(shown).toEqual([1]);
    h.timers.advance(1_999);
    await settle();
    expect(h.reads()).toBe(1);
    h.timers.advance(1);
    await settle();
    expect(shown).toEqual([1, 2]);
    poll.dispose();
    expect(h.timers.pending()).toBe(0);
    h.timers.advance(10_000);
    await settle();
    expect(shown).toEqual([1, 2]);
  });

  it('reports a failed read and keeps polling', async () => {
    const h = host([new Error('HTTP 503'), stats({ lines: 5, records: 5, byFormat: { json: 5, plotter: 0, csv: 0, teleplot: 0 } })]);
    const shown: string[] = [];
    const poll = pollParseCounts(h, (s, error) => shown.push(s ? formatParseCounts(s) : `error: ${(error as Error).message}`), 2_000);
    await settle();
    h.timers.advance(2_000);
    await settle();
    expect(shown).toEqual(['error: HTTP 503', '5 lines · 5 records (json 5) · 0 text']);
    poll.dispose();
  });

  it('drops an answer that arrives after dispose', async () => {
    const h = host([stats({ lines: 1 })]);
    const shown: unknown[] = [];
    const poll = pollParseCounts(h, (s) => shown.push(s), 2_000);
    poll.dispose();
    await settle();
    expect(shown).toEqual([]);
    expect(h.timers.pending()).toBe(0);
  });
});
