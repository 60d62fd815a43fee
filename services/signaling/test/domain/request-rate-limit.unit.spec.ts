import { describe, expect, it } from 'vitest';
import { RequestRateLimit } from '../../src/domain/request-rate-limit.js';

describe('request rate limit per key', () => {
  it('admits the burst, then refuses with the wait until the next token', () => {
    const limit = new RequestRateLimit({ ratePerSecond: 2, burst: 3, maxKeys: 10 });
    for (let i = 0; i < 3; i += 1) expect(limit.admit('a', 0)).toEqual({ admitted: true });
    expect(limit.admit('a', 0)).toEqual({ admitted: false, retryAfterMs: 500 });
    expect(limit.admit('a', 250)).toEqual({ admitted: false, retryAfterMs: 250 });
    expect(limit.admit('a', 500)).toEqual({ admitted: true });
  });

  it('keys are independent', () => {
    const limit = new RequestRateLimit({ ratePerSecond: 1, burst: 1, maxKeys: 10 });
    expect(limit.admit('a', 0).admitted).toBe(true);
    expect(limit.admit('a', 0).admitted).toBe(false);
    expect(limit.admit('b', 0).admitted).toBe(true);
  });

  it('forgets the least recently seen key beyond maxKeys (which then starts full)', () => {
    const limit = new RequestRateLimit({ ratePerSecond: 1, burst: 1, maxKeys: 2 });
    limit.admit('a', 0);
    limit.admit('b', 0);
    limit.admit('a', 0);
    limit.admit('c', 0);
    // b was forgotten, a was seen more recently than b and is still empty.
    expect(limit.admit('a', 0).admitted).toBe(false);
    expect(limit.admit('b', 0).admitted).toBe(true);
  });
});
