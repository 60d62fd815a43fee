/**
 * What to do with a delivery, decided from its delivery count alone (1 for the first delivery).
 *
 * The transport enforces the budget itself rather than through the server's `max_deliver`: a message the
 * server stops delivering is stranded, while one we see past its budget can still be dead-lettered.
 */
export type FailedDeliveryOutcome =
  { readonly action: 'retry'; readonly delayMs: number } | { readonly action: 'dead-letter' };

export function redeliveryDelayMs(backoffMs: readonly number[], deliveryCount: number): number {
  if (backoffMs.length === 0) return 0;
  const index = Math.min(Math.max(deliveryCount, 1), backoffMs.length) - 1;
  return backoffMs[index] ?? 0;
}

export function failedDeliveryOutcome(
  deliveryCount: number,
  maxDeliver: number,
  backoffMs: readonly number[],
): FailedDeliveryOutcome {
  if (deliveryCount >= maxDeliver) return { action: 'dead-letter' };
  return { action: 'retry', delayMs: redeliveryDelayMs(backoffMs, deliveryCount) };
}

/** A delivery past the budget never reached a verdict (crash or ack timeout each time): do not run it again. */
export function isPastDeliveryBudget(deliveryCount: number, maxDeliver: number): boolean {
  return deliveryCount > maxDeliver;
}
