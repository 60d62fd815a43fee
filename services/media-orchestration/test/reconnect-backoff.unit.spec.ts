import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../src/domain/reconnect-backoff.js';

describe('reconnecting to a lost Janus gateway', () => {
  it('doubles the wait from the initial delay and never waits longer than the maximum', () => {
    const policy = { initialMs: 500, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => reconnectDelayMs(attempt, policy))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(reconnectDelayMs(10_000, policy)).toBe(30_000);
  });
});
