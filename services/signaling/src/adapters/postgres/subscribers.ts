import { type Kysely } from 'kysely';
import type pg from 'pg';
import { type Subscriber, type SubscriberDirectory } from '../../app/ports.js';
import { signalingDatabase, type SignalingDb } from './signaling-schema.js';

/**
 * The built-in subscriber table: just enough for the handshake (lines) and outgoing calls (caller number).
 * The subscriber-data port of protocol.md §3 (built-in, adapter API, PortaBilling) replaces it.
 */
export class PostgresSubscriberDirectory implements SubscriberDirectory {
  constructor(private readonly db: Kysely<SignalingDb>) {}

  async findSubscriber(tenant: string, userId: string): Promise<Subscriber | undefined> {
    const row = await this.db
      .selectFrom('signaling_subscriber')
      .select(['tenant', 'user_id', 'lines', 'caller_number'])
      .where('tenant', '=', tenant)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return { tenant: row.tenant, userId: row.user_id, lines: row.lines, callerNumber: row.caller_number };
  }
}

/** Creates or updates a subscriber (provisioning, tests). */
export async function provisionSubscriber(pool: pg.Pool, subscriber: Subscriber): Promise<void> {
  await signalingDatabase(pool)
    .insertInto('signaling_subscriber')
    .values({
      tenant: subscriber.tenant,
      user_id: subscriber.userId,
      lines: subscriber.lines,
      caller_number: subscriber.callerNumber,
    })
    .onConflict((conflict) =>
      conflict.columns(['tenant', 'user_id']).doUpdateSet({
        lines: subscriber.lines,
        caller_number: subscriber.callerNumber,
        updated_at: new Date(),
      }),
    )
    .execute();
}
