import { type Kysely, sql } from 'kysely';
import { type RegistrationLeases } from '../../app/ports.js';
import { type MediaSchema } from './media-schema.js';

/**
 * Registration leases in PostgreSQL: one row per account, taken or renewed in one statement that only
 * wins when the row is free, lapsed, or already ours. The database's clock decides lapse, so instances
 * with skewed clocks cannot both believe they hold an account.
 */
export class PostgresRegistrationLeases implements RegistrationLeases {
  constructor(private readonly db: Kysely<MediaSchema>) {}

  async acquire(accountIds: readonly string[], instanceId: string, ttlMs: number): Promise<string[]> {
    if (accountIds.length === 0) return [];
    const expiresAt = sql<Date>`now() + make_interval(secs => ${ttlMs / 1_000})`;
    const rows = await this.db
      .insertInto('media_sip_registration_lease')
      .values(
        accountIds.map((accountId) => ({
          account_id: accountId,
          instance_id: instanceId,
          expires_at: expiresAt,
        })),
      )
      .onConflict((conflict) =>
        conflict
          .column('account_id')
          .doUpdateSet({ instance_id: instanceId, expires_at: expiresAt })
          .where((eb) =>
            eb.or([
              eb('media_sip_registration_lease.instance_id', '=', instanceId),
              eb('media_sip_registration_lease.expires_at', '<', sql<Date>`now()`),
            ]),
          ),
      )
      .returning('account_id')
      .execute();
    return rows.map((row) => row.account_id);
  }

  async release(accountIds: readonly string[], instanceId: string): Promise<void> {
    if (accountIds.length === 0) return;
    await this.db
      .deleteFrom('media_sip_registration_lease')
      .where('account_id', 'in', [...accountIds])
      .where('instance_id', '=', instanceId)
      .execute();
  }
}
