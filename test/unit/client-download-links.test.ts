import { describe, expect, it } from 'vitest';
import { DOWNLOAD_FORMATS } from '../../server/wire/api.js';
import {
  DEFAULT_DOWNLOAD_FORMAT,
  DOWNLOAD_FORMAT_LABELS,
  DOWNLOAD_RANGES,
  downloadHref,
  isDownloadFormat,
} from '../../client/controls/download-links.js';

const OPENED_MS = 1_760_000_000_123;

describe('download links', () => {
  it('builds one URL per menu item, relative to the page', () => {
    const hrefs = Object.fromEntries(DOWNLOAD_RANGES.map(({ range }) => [range, downloadHref('uno', range, 'text', OPENED_MS)]));
    expect(hrefs).toEqual({
      'last-minute': 'api/ports/uno/download?format=text&last=60',
      'last-10-minutes': 'api/ports/uno/download?format=text&last=600',
      'last-hour': 'api/ports/uno/download?format=text&last=3600',
      'since-open': `api/ports/uno/download?format=text&since=${OPENED_MS}`,
      everything: 'api/ports/uno/download?format=text',
    });
  });

  it('labels the menu items in order', () => {
    expect(DOWNLOAD_RANGES.map((r) => r.label)).toEqual([
      'Last minute',
      'Last 10 minutes',
      'Last hour',
      'Since I opened the page',
      'Everything kept',
    ]);
  });

  it('carries the chosen format and escapes the port id', () => {
    expect(downloadHref('a b', 'last-minute', 'ndjson', OPENED_MS)).toBe('api/ports/a%20b/download?format=ndjson&last=60');
    expect(downloadHref('uno', 'everything', 'raw', OPENED_MS)).toBe('api/ports/uno/download?format=raw');
  });

  it('offers every format, timestamped text first', () => {
    expect(DEFAULT_DOWNLOAD_FORMAT).toBe('text');
    expect(Object.keys(DOWNLOAD_FORMAT_LABELS)[0]).toBe('text');
    expect(Object.keys(DOWNLOAD_FORMAT_LABELS).sort()).toEqual([...DOWNLOAD_FORMATS].sort());
    expect([isDownloadFormat('raw'), isDownloadFormat('csv'), isDownloadFormat(undefined)]).toEqual([true, false, false]);
  });
});
