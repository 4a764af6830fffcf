import { describe, expect, it } from 'vitest';
import { resolveLight } from '../../client/ui/theme.js';

describe('resolveLight', () => {
  it('follows the system unless dark or light was chosen', () => {
    expect([resolveLight('system', true), resolveLight('system', false)]).toEqual([true, false]);
    expect([resolveLight('dark', true), resolveLight('light', false)]).toEqual([false, true]);
  });
});
