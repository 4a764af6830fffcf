import { describe, expect, it } from 'vitest';
import { StreamCap } from '../../server/http/stream-cap.js';

describe('StreamCap', () => {
  it('gives out at most max places, and each given back once frees one', () => {
    const cap = new StreamCap(2);
    const a = cap.take();
    const b = cap.take();
    expect(a && b).toBeTruthy();
    expect(cap.take()).toBeNull();
    expect(cap.count).toBe(2);
    a!();
    a!(); // giving the same place back twice frees it once
    expect(cap.count).toBe(1);
    expect(cap.take()).not.toBeNull();
    expect(cap.take()).toBeNull();
  });
});
