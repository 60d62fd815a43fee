import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failedDeliveryOutcome, isPastDeliveryBudget, redeliveryDelayMs } from '../src/index.js';

describe('redelivery policy', () => {
  const backoff = [1_000, 5_000, 15_000, 60_000];

  it('waits the n-th backoff after the n-th failed delivery and repeats the last one', () => {
    expect([1, 2, 3, 4, 5, 9].map((count) => redeliveryDelayMs(backoff, count))).toEqual([
      1_000, 5_000, 15_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('retries until the delivery count reaches maxDeliver, then dead-letters', () => {
    expect(failedDeliveryOutcome(1, 3, [100, 200])).toEqual({ action: 'retry', delayMs: 100 });
    expect(failedDeliveryOutcome(2, 3, [100, 200])).toEqual({ action: 'retry', delayMs: 200 });
    expect(failedDeliveryOutcome(3, 3, [100, 200])).toEqual({ action: 'dead-letter' });
  });

  it('treats a delivery past the budget as one that never reached a verdict', () => {
    expect(isPastDeliveryBudget(5, 5)).toBe(false);
    expect(isPastDeliveryBudget(6, 5)).toBe(true);
  });

  it('never retries at or past maxDeliver and always waits one of the configured delays', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 120_000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 30 }),
        (delays, maxDeliver, deliveryCount) => {
          const outcome = failedDeliveryOutcome(deliveryCount, maxDeliver, delays);
          if (deliveryCount >= maxDeliver) expect(outcome.action).toBe('dead-letter');
          else expect(outcome.action === 'retry' && delays.includes(outcome.delayMs)).toBe(true);
        },
      ),
    );
  });
});
