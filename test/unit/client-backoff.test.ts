import { describe, expect, it } from 'vitest';
import {
  BUSY_RETRY_MIN_MS,
  RECONNECT_BASE_MS,
  RECONNECT_JITTER_FRACTION,
  RECONNECT_MAX_MS,
  reconnectDelayMs,
} from '../../client/connection/backoff.js';

const middle = (): number => 0.5; // no jitter
const low = (): number => 0;
const high = (): number => 0.999999;

describe('reconnectDelayMs', () => {
  it('doubles from the base up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => reconnectDelayMs(n, middle))).toEqual([
      500, 1000, 2000, 4000, 8000, 10000, 10000,
    ]);
  });

  it('jitters within ±fraction, never above the cap', () => {
    expect(reconnectDelayMs(0, low)).toBe(RECONNECT_BASE_MS * (1 - RECONNECT_JITTER_FRACTION));
    expect(reconnectDelayMs(0, high)).toBe(Math.round(RECONNECT_BASE_MS * (1 + RECONNECT_JITTER_FRACTION)));
    expect(reconnectDelayMs(50, high)).toBe(RECONNECT_MAX_MS);
  });

  it('honours a minimum (server full) even with low jitter', () => {
    expect(reconnectDelayMs(0, low, BUSY_RETRY_MIN_MS)).toBe(BUSY_RETRY_MIN_MS);
    expect(reconnectDelayMs(5, low, BUSY_RETRY_MIN_MS)).toBeGreaterThanOrEqual(BUSY_RETRY_MIN_MS);
  });

  it('treats huge attempt counts as the cap rather than overflowing', () => {
    expect(reconnectDelayMs(1e9, middle)).toBe(RECONNECT_MAX_MS);
  });
});
