import { type Kysely, type Transaction } from 'kysely';
import { type BusSchema, PROCESSED_EVENT_TABLE } from './bus-schema.js';

export type IdempotentEffectOutcome = 'applied' | 'duplicate';

/**
 * Runs `effect` at most once per (consumer, event id): a marker row is inserted in the same transaction as
 * the effect, so the effect and the fact that it happened commit (or roll back) together. A redelivery,
 * or the same event published twice, finds the marker and does nothing.
 *
 * Two deliveries racing each other are safe too: the second insert waits on the first transaction's
 * marker and becomes a duplicate if it commits, or applies if it rolls back.
 *
 * `consumer` names the effect's owner — usually the durable name, plus the handler when one service
 * handles the same event type twice.
 */
export async function runIdempotentEffect<DB>(
  db: Kysely<DB>,
  consumer: string,
  eventId: string,
  effect: (trx: Transaction<DB>) => Promise<void>,
): Promise<IdempotentEffectOutcome> {
  return db.transaction().execute(async (trx) => {
    const markers = trx as unknown as Transaction<BusSchema>;
    const inserted = await markers
      .insertInto(PROCESSED_EVENT_TABLE)
      .values({ consumer, event_id: eventId })
      .onConflict((conflict) => conflict.columns(['consumer', 'event_id']).doNothing())
      .executeTakeFirst();
    if ((inserted.numInsertedOrUpdatedRows ?? 0n) === 0n) return 'duplicate';
    await effect(trx);
    return 'applied';
  });
}
